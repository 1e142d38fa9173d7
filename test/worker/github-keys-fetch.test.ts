/**
 * Fetches of GitHub's keys document (docs/leak-reports.md#the-keys-document): an unsigned caller
 * cannot make the edge fetch it again and again. At most one fetch is on its way per isolate; after
 * a failed one (down, hanging past 5 s, not a keys document) none starts for 60 s; a failed fetch
 * keeps the copy the edge had, expired or not; a report whose identifier is in no copy answers 503
 * while the document cannot be fetched; `SECRET_SCANNING_GITHUB_TOKEN` is sent as a bearer token.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { forgetGithubKeys } from "../../src/partners/github-keys";
import { toDer } from "../support/ecdsa-der";
import {
  keysAuthorization,
  keysFetches,
  newSigner,
  publish,
  publishRaw,
  report,
  reportRequest,
  type Signer,
} from "./github-signer";
import { problemOf } from "./helpers";
import { callWith } from "./support-calls";

let github: Signer;

beforeEach(async () => {
  forgetGithubKeys();
  github = await newSigner(`gh_${crypto.randomUUID()}`);
});

afterEach(() => {
  vi.useRealTimers();
});

async function codeOf(res: Response): Promise<[number, string | null]> {
  return [res.status, res.status === 200 ? null : (await problemOf(res)).code];
}

describe("the keys document failing", () => {
  it("100 reports against a failing document cause one fetch in 60 s, each answered 503", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    vi.setSystemTime(start);
    await publishRaw("down");
    for (let i = 0; i < 100; i++) {
      expect(await codeOf(await report(github, "[]"))).toEqual([503, "auth_unavailable"]);
    }
    expect(await keysFetches()).toBe(1);
    vi.setSystemTime(start + 59_999);
    expect(await codeOf(await report(github, "[]"))).toEqual([503, "auth_unavailable"]);
    expect(await keysFetches()).toBe(1);
    // 60 s on, one fetch again; the document has recovered.
    await publish(github);
    vi.setSystemTime(start + 60_000);
    expect(await codeOf(await report(github, "[]"))).toEqual([200, null]);
    expect(await keysFetches()).toBe(1);
  });

  it("a document that is not a keys document counts as a failure too", async () => {
    for (const doc of ["not json", '{"keys": []}', "[]"]) {
      forgetGithubKeys();
      await publishRaw(doc);
      for (let i = 0; i < 5; i++) expect(await codeOf(await report(github, "[]"))).toEqual([503, "auth_unavailable"]);
      expect(await keysFetches(), doc).toBe(1);
    }
  });

  it("20 reports at once against a hanging document: one fetch, all answered 503 once it has failed", async () => {
    await publishRaw("hang");
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => report(github, "[]")));
    const took = performance.now() - started;
    expect(await Promise.all(answers.map(codeOf))).toEqual(Array(20).fill([503, "auth_unavailable"]));
    expect(await keysFetches()).toBe(1);
    expect(took).toBeGreaterThanOrEqual(4_900); // the edge gave the fetch 5 s
    // The next report does not wait: the failure holds for 60 s.
    const next = performance.now();
    expect(await codeOf(await report(github, "[]"))).toEqual([503, "auth_unavailable"]);
    expect(performance.now() - next).toBeLessThan(1_000);
    expect(await keysFetches()).toBe(1);
  }, 20_000);

  it("a failed fetch keeps the copy the edge had, expired or not; an identifier in no copy answers 503", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    vi.setSystemTime(start);
    await publish(github);
    expect(await codeOf(await report(github, "[]"))).toEqual([200, null]);
    await publishRaw("down");
    // An hour on, the copy has expired: fetched again, that fails, and the old copy still verifies.
    vi.setSystemTime(start + 3_600_000);
    expect(await codeOf(await report(github, "[]"))).toEqual([200, null]);
    expect(await keysFetches()).toBe(1);
    const stranger = await newSigner("gh_not_in_any_copy");
    expect(await codeOf(await report(stranger, "[]"))).toEqual([503, "auth_unavailable"]);
    expect(await keysFetches()).toBe(1);
    // A signature that does not verify against the kept copy is still 401.
    const forged = await report(github, "[]", { "Github-Public-Key-Signature": "MAYCAQECAQE=" });
    expect(await codeOf(forged)).toEqual([401, "invalid_signature"]);
  });

  it("a fresh copy and an unknown identifier: one refetch per 60 s, then 401 invalid_signature", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now());
    await publish(github);
    expect(await codeOf(await report(github, "[]"))).toEqual([200, null]);
    const stranger = await newSigner("gh_unknown");
    for (let i = 0; i < 10; i++) expect(await codeOf(await report(stranger, "[]"))).toEqual([401, "invalid_signature"]);
    expect(await keysFetches()).toBe(2);
  });
});

describe("SECRET_SCANNING_GITHUB_TOKEN", () => {
  /** A report through the app with the token binding set (or not), from an isolate that has fetched nothing. */
  async function reportWith(token: string | undefined): Promise<Response> {
    const request = await reportRequest(github, "[]");
    forgetGithubKeys();
    return callWith(request, token === undefined ? {} : { SECRET_SCANNING_GITHUB_TOKEN: token });
  }

  it("is sent as a bearer token when set; an empty value counts as unset", async () => {
    await publish(github);
    expect((await reportWith("ghp_testtoken123")).status).toBe(200);
    expect(await keysAuthorization()).toBe("Bearer ghp_testtoken123");
    expect((await reportWith("")).status).toBe(200);
    expect(await keysAuthorization()).toBe(null);
    expect((await reportWith(undefined)).status).toBe(200);
    expect(await keysAuthorization()).toBe(null);
  });
});

describe("the signature header", () => {
  it("verifies only in DER's canonical form: a long-form length, an extra 00 or trailing bytes answer 401", async () => {
    await publish(github);
    const body = "[]";
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, github.privateKey, new TextEncoder().encode(body)),
    );
    const der = toDer(raw);
    const inner = Array.from(der.subarray(2));
    const variants = [
      Uint8Array.from([0x30, 0x81, inner.length, ...inner]), // long-form length
      Uint8Array.from([...der, 0x00]), // trailing byte
    ];
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    expect(await codeOf(await report(github, body, { "Github-Public-Key-Signature": b64(der) }))).toEqual([200, null]);
    for (const variant of variants) {
      const res = await report(github, body, { "Github-Public-Key-Signature": b64(variant) });
      expect(await codeOf(res)).toEqual([401, "invalid_signature"]);
    }
    // An extra leading 00 before r.
    const rLength = der[3] as number;
    const r = Array.from(der.subarray(4, 4 + rLength));
    const rest = Array.from(der.subarray(4 + rLength));
    const padded = [0x02, rLength + 1, 0, ...r, ...rest];
    const res = await report(github, body, {
      "Github-Public-Key-Signature": b64(Uint8Array.from([0x30, padded.length, ...padded])),
    });
    expect(await codeOf(res)).toEqual([401, "invalid_signature"]);
  });
});
