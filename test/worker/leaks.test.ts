/**
 * Leaked keys revoke themselves (docs/leak-reports.md). The tests stand in for GitHub: they make their own
 * P-256 key pairs, publish them in a keys document served by the local stand-in, and sign reports
 * as GitHub does (base64 of a DER ECDSA signature over the raw body).
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { generateKey } from "../../src/keys/format";
import { sha256Hex } from "../../src/keys/hash";
import { forgetGithubKeys } from "../../src/partners/github-keys";
import { toDer } from "../support/ecdsa-der";
import { keysFetches, newSigner, PATH, publish, publishRaw, report, reportRequest, type Signer } from "./github-signer";
import {
  admin,
  edge,
  keyList,
  newAccount,
  newAccountWithKey,
  newKey,
  problemOf,
  received,
  tag,
  withKey,
} from "./helpers";
import { callWith, countedBindings } from "./support-calls";

function item(token: string, extra: Record<string, string> = {}) {
  return {
    token,
    type: "neariq_api_key",
    url: "https://github.com/octo/repo/blob/abc/config.env",
    source: "content",
    ...extra,
  };
}

let github: Signer;

beforeEach(async () => {
  forgetGithubKeys();
  github = await newSigner(`gh_${tag()}`);
  await publish(github);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("a leak report (docs/leak-reports.md)", () => {
  it("revokes a reported key at once with reason leaked; the next request with it gets 401 revoked_key", async () => {
    const { accountId, key, id } = await newAccountWithKey("pro");
    const t = tag();
    expect((await withKey(key, `/v1/competitors?t=${t}&before`)).status).toBe(200);
    const res = await report(github, JSON.stringify([item(key)]));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { token_hash: await sha256Hex(key), token_type: "neariq_api_key", label: "true_positive" },
    ]);
    const after = await withKey(key, `/v1/competitors?t=${t}&after`);
    expect(after.status).toBe(401);
    expect((await problemOf(after)).code).toBe("revoked_key");
    expect((await received(t)).map((r) => r.query)).toEqual([`?t=${t}&before`]);
    const listed = (await keyList(accountId))[id];
    expect(listed?.revoked_reason).toBe("leaked");
    expect(listed?.leak).toEqual({
      url: "https://github.com/octo/repo/blob/abc/config.env",
      source: "content",
      reported_at: listed?.revoked_at,
    });
  });

  it("answers a mixed batch in order, one authority per account; never the token", async () => {
    const a = await newAccountWithKey("pro");
    const a2 = await newKey(a.accountId);
    const b = await newAccountWithKey("agency");
    const unknownWellFormed = generateKey("niq_live_");
    const items = [
      item("not-a-key-at-all"),
      item(a.key, { type: "t1" }),
      item(unknownWellFormed),
      item(b.key, { url: "https://gist.github.com/x" }),
      item(`${a2.key.slice(0, -1)}${a2.key.endsWith("x") ? "y" : "x"}`),
      item(a2.key),
      { token: a.key },
    ];
    const res = await report(github, JSON.stringify(items));
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const i of items) expect(text).not.toContain(i.token);
    const hashes = await Promise.all(items.map((i) => sha256Hex(i.token)));
    expect(JSON.parse(text)).toEqual([
      { token_hash: hashes[0], token_type: "neariq_api_key", label: "false_positive" },
      { token_hash: hashes[1], token_type: "t1", label: "true_positive" },
      { token_hash: hashes[2], token_type: "neariq_api_key", label: "false_positive" },
      { token_hash: hashes[3], token_type: "neariq_api_key", label: "true_positive" },
      { token_hash: hashes[4], token_type: "neariq_api_key", label: "false_positive" },
      { token_hash: hashes[5], token_type: "neariq_api_key", label: "true_positive" },
      { token_hash: hashes[6], token_type: null, label: "true_positive" },
    ]);
    for (const [accountId, id] of [
      [a.accountId, a.id],
      [a.accountId, a2.id],
      [b.accountId, b.id],
    ] as const) {
      expect((await keyList(accountId))[id]?.revoked_reason).toBe("leaked");
    }
    expect((await keyList(b.accountId))[b.id]?.leak).toMatchObject({ url: "https://gist.github.com/x" });
  });

  it("a key revoked earlier keeps its first reason and time, and a later report changes nothing", async () => {
    const { accountId, key, id } = await newAccountWithKey("pro");
    const revoked = (await (await admin("DELETE", `/accounts/${accountId}/keys/${id}`)).json()) as {
      revoked_at: string;
    };
    const res = await report(github, JSON.stringify([item(key)]));
    expect(((await res.json()) as { label: string }[])[0]?.label).toBe("true_positive");
    let listed = (await keyList(accountId))[id];
    expect([listed?.revoked_reason, listed?.revoked_at, listed?.leak]).toEqual(["revoked", revoked.revoked_at, null]);
    const other = await newKey(accountId);
    await report(github, JSON.stringify([item(other.key, { url: "https://first" })]));
    const first = (await keyList(accountId))[other.id];
    await report(github, JSON.stringify([item(other.key, { url: "https://second" })]));
    listed = (await keyList(accountId))[other.id];
    expect(listed).toEqual(first);
    expect(listed?.leak).toMatchObject({ url: "https://first" });
  });
});

describe("a report that cannot be trusted (docs/leak-reports.md)", () => {
  it("a KV record that names a key whose hash does not match is a false positive, and that key stays active", async () => {
    const { accountId, key, id } = await newAccountWithKey("pro");
    const minted = generateKey("niq_live_");
    await env.API_KEYS.put(
      `key:${await sha256Hex(minted)}`,
      JSON.stringify({ v: 1, account_id: accountId, key_id: id, revoked_at: null }),
    );
    const res = await report(github, JSON.stringify([item(minted)]));
    expect(((await res.json()) as { label: string }[]).map((a) => a.label)).toEqual(["false_positive"]);
    expect((await keyList(accountId))[id]?.revoked_at).toBeNull();
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
  });

  it("missing headers, a bad signature, another key's signature, an unknown identifier: 401, nothing revoked", async () => {
    const { accountId, key, id } = await newAccountWithKey("pro");
    const body = JSON.stringify([item(key)]);
    const impostor = await newSigner(github.id);
    const attempts: Response[] = [
      await edge(PATH, { method: "POST", body }),
      await edge(PATH, { method: "POST", body, headers: { "Github-Public-Key-Identifier": github.id } }),
      await report(github, body, { "Github-Public-Key-Signature": `MEUCIQ${"A".repeat(90)}` }),
      await report(github, body, { "Github-Public-Key-Signature": "not base64 at all!" }),
      await report(impostor, body),
      await report(await newSigner(`unknown_${tag()}`), body),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('GitHub-Signature realm="secret-scanning"');
      expect((await problemOf(res)).code).toBe("invalid_signature");
    }
    expect((await keyList(accountId))[id]?.revoked_at).toBeNull();
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
  });

  it("a tampered body with the original signature: 401, and the key is not revoked", async () => {
    const { accountId, key, id } = await newAccountWithKey("pro");
    const signed = JSON.stringify([item("harmless")]);
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, github.privateKey, new TextEncoder().encode(signed)),
    );
    const res = await edge(PATH, {
      method: "POST",
      body: JSON.stringify([item(key)]),
      headers: {
        "Github-Public-Key-Identifier": github.id,
        "Github-Public-Key-Signature": btoa(String.fromCharCode(...toDer(raw))),
      },
    });
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe("invalid_signature");
    expect((await keyList(accountId))[id]?.revoked_at).toBeNull();
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
  });

  it("a key rotated in at GitHub is fetched and accepted; unknown identifiers refetch at most once per 60 s", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    vi.setSystemTime(start);
    expect((await report(github, "[]")).status).toBe(200);
    expect(await keysFetches()).toBe(1);
    const rotated = await newSigner(`gh_rotated_${tag()}`);
    await publish(rotated, github);
    expect((await report(rotated, "[]")).status).toBe(200);
    expect(await keysFetches()).toBe(1); // the PUT reset the count: the refetch was the one fetch
    for (let i = 0; i < 5; i++) {
      expect((await report(await newSigner(`nobody_${i}`), "[]")).status).toBe(401);
    }
    expect(await keysFetches()).toBe(1);
    vi.setSystemTime(start + 59_999);
    expect((await report(await newSigner("nobody_late"), "[]")).status).toBe(401);
    expect(await keysFetches()).toBe(1);
    vi.setSystemTime(start + 60_000);
    expect((await report(await newSigner("nobody_later"), "[]")).status).toBe(401);
    expect(await keysFetches()).toBe(2);
    // Known identifiers never cost a fetch while the copy is fresh.
    expect((await report(github, "[]")).status).toBe(200);
    expect(await keysFetches()).toBe(2);
  });

  it("the keys document down or unreadable: 503 auth_unavailable with Retry-After, nothing revoked", async () => {
    const { accountId, key, id } = await newAccountWithKey("pro");
    for (const doc of ["down", "not json", '{"keys": []}', "[]"]) {
      forgetGithubKeys();
      await publishRaw(doc);
      const res = await report(github, JSON.stringify([item(key)]));
      expect(res.status, doc).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await problemOf(res)).code).toBe("auth_unavailable");
    }
    expect((await keyList(accountId))[id]?.revoked_at).toBeNull();
  });
});

describe("bodies of a report (docs/leak-reports.md)", () => {
  it("not an array of {token, …}: 400 invalid_request", async () => {
    for (const body of [
      "{}",
      "not json",
      "[1]",
      '[{"token": 5}]',
      '[{"type": "x"}]',
      '[{"token": "a", "type": null}]',
      '[{"token": "a", "url": 7}]',
      "null",
      '"x"',
    ]) {
      const res = await report(github, body);
      expect(res.status, body).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_request");
    }
  });

  it("over 1 MiB or over 1,000 items: 413 payload_too_large; exactly 1,000 items is answered", async () => {
    const big = JSON.stringify([item("x".repeat(1_048_576))]);
    const res = await report(github, big);
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe("payload_too_large");
    const many = JSON.stringify(Array.from({ length: 1_001 }, (_, i) => ({ token: `t${i}` })));
    const tooMany = await report(github, many);
    expect(tooMany.status).toBe(413);
    expect((await problemOf(tooMany)).code).toBe("payload_too_large");
    const thousand = JSON.stringify(Array.from({ length: 1_000 }, (_, i) => ({ token: `t${i}`, type: "x" })));
    const ok = await report(github, thousand);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[]).length).toBe(1_000);
  });

  it("a report of 30 keys of one account costs one bulk KV read and one authority call, and revokes them all", async () => {
    const accountId = await newAccount("pro");
    const keys: { key: string; id: string }[] = [];
    for (let i = 0; i < 30; i++) keys.push(await newKey(accountId));
    const body = JSON.stringify(keys.map((k) => item(k.key)));
    const counted = countedBindings();
    const res = await callWith(await reportRequest(github, body), counted.bindings);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { label: string }[]).map((a) => a.label)).toEqual(Array(30).fill("true_positive"));
    expect([counted.kvReads, counted.authorityCalls]).toEqual([1, 1]);
    const list = await keyList(accountId);
    expect(keys.map((k) => list[k.id]?.revoked_reason)).toEqual(Array(30).fill("leaked"));
  });
});
