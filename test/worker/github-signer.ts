/**
 * A stand-in for GitHub in the tests: P-256 key pairs of its own, a keys document published on the
 * local test origin, and reports signed as GitHub signs them (base64 of a DER ECDSA signature over
 * the raw body).
 */

import { exports } from "cloudflare:workers";
import { toDer } from "../support/ecdsa-der";
import { EDGE, ORIGIN } from "./helpers";

export const PATH = "/_partners/github/secret-scanning";

export interface Signer {
  id: string;
  pem: string;
  privateKey: CryptoKey;
}

export async function newSigner(id: string): Promise<Signer> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
  const b64 = btoa(String.fromCharCode(...spki));
  const pem = `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)?.join("\n")}\n-----END PUBLIC KEY-----\n`;
  return { id, pem, privateKey: pair.privateKey };
}

export async function publish(...signers: Signer[]) {
  const doc = { public_keys: signers.map((s, i) => ({ key_identifier: s.id, key: s.pem, is_current: i === 0 })) };
  await fetch(`${ORIGIN}/__github-keys`, { method: "PUT", body: JSON.stringify(doc) });
}

export async function publishRaw(text: string) {
  await fetch(`${ORIGIN}/__github-keys`, { method: "PUT", body: text });
}

export async function keysFetches(): Promise<number> {
  return Number(await (await fetch(`${ORIGIN}/__github-keys?fetches`)).text());
}

/** GitHub's signature of `body`: base64 of the DER ECDSA P-256 / SHA-256 signature. */
export async function signatureOf(signer: Signer, body: string): Promise<string> {
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signer.privateKey, new TextEncoder().encode(body)),
  );
  return btoa(String.fromCharCode(...toDer(raw)));
}

/** A report as GitHub sends it: `body` with the signer's identifier and signature (and any `headers`). */
export async function reportRequest(
  signer: Signer,
  body: string,
  headers: Record<string, string> = {},
): Promise<Request> {
  return new Request(`${EDGE}${PATH}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "Github-Public-Key-Identifier": signer.id,
      "Github-Public-Key-Signature": await signatureOf(signer, body),
      ...headers,
    },
  });
}

export async function report(signer: Signer, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(await reportRequest(signer, body, headers));
}

export async function keysAuthorization(): Promise<string | null> {
  return JSON.parse(await (await fetch(`${ORIGIN}/__github-keys?authorization`)).text()) as string | null;
}
