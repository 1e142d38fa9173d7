// The floor: what the documented rules make unavoidable for a valid key, and nothing else. The bare
// pass-through, plus one JWT with the same claims as the edge's assertion, signed with WebCrypto by
// the same key (Ed25519 by default, ES256 with BENCH_ALG=ES256), and one JSON log line of the same
// size as the edge's. With REFUSE set, the floor of a refusal instead: a 401 problem+json of the
// edge's shape, answered at once with the same log line, and nothing forwarded.
let signing = null; // the imported key and its kid: a value, never a pending import

const encoder = new TextEncoder();
function base64url(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function key(env) {
  if (signing) return signing;
  const jwk = JSON.parse(env.ASSERTION_PRIVATE_JWK);
  const ec = jwk.kty === "EC";
  const { kty, crv, x, y, d } = jwk;
  const imported = await crypto.subtle.importKey(
    "jwk",
    ec ? { kty, crv, x, y, d } : { kty, crv, x, d },
    ec ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" },
    false,
    ["sign"],
  );
  signing = {
    key: imported,
    kid: jwk.kid,
    alg: ec ? "ES256" : "EdDSA",
    params: ec ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" },
  };
  return signing;
}

function logLine(requestId, method, code, status, originMs) {
  console.log(
    JSON.stringify({
      request_id: requestId,
      method,
      route: "/v1/competitors",
      account_id: "bench",
      key_id: "key_00000000000000000000",
      code,
      status,
      kv_reads: 0,
      kv_ms: 0,
      authority_calls: 0,
      authority_writes: 0,
      authority_ms: 0,
      origin_ms: originMs,
    }),
  );
}

function refusal(request, requestId) {
  logLine(requestId, request.method, "invalid_key", 401, 0);
  const body = {
    type: "https://docs.neariq.example/errors/invalid_key",
    title: "Invalid API key",
    status: 401,
    code: "invalid_key",
    detail: "The API key is not valid.",
    request_id: requestId,
  };
  return new Response(JSON.stringify(body), {
    status: 401,
    headers: {
      "Content-Type": "application/problem+json",
      "WWW-Authenticate": 'NearIQ-Key realm="NearIQ API"',
      "X-NearIQ-Request-Id": requestId,
    },
  });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const requestId = crypto.randomUUID();
    if (env.REFUSE) return refusal(request, requestId);
    const { key: privateKey, kid, alg, params } = await key(env);
    const iat = Math.floor(Date.now() / 1000);
    const header = base64url(encoder.encode(JSON.stringify({ alg, kid, typ: "JWT" })));
    const claims = {
      aud: new URL(env.ORIGIN_URL).origin,
      sub: "bench",
      key_id: "key_00000000000000000000",
      scope: "alerts:read competitors:read usage:read",
      plan: "pro",
      jti: requestId,
      htm: request.method,
      htu: url.pathname + url.search,
      iss: "neariq-edge",
      iat,
      exp: iat + 60,
    };
    const payload = base64url(encoder.encode(JSON.stringify(claims)));
    const signature = new Uint8Array(
      await crypto.subtle.sign(params, privateKey, encoder.encode(`${header}.${payload}`)),
    );
    const headers = new Headers(request.headers);
    headers.set("X-NearIQ-Auth-Assertion", `${header}.${payload}.${base64url(signature)}`);
    const started = Date.now();
    const response = await fetch(env.ORIGIN_URL + url.pathname + url.search, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
    });
    logLine(requestId, request.method, null, response.status, Date.now() - started); // the edge's size and shape
    return response;
  },
};
