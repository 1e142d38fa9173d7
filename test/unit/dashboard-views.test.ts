/**
 * Settings → API's keys table, as a person reads it: "expiring" only within 7 days (as
 * `key.expiring` is recorded), otherwise the date; test keys marked; the roll form saying what the
 * new key's expiry will be; and each notification's sentence.
 */
import { describe, expect, it } from "vitest";
import type { ListedKey } from "../../examples/dashboard/admin-client";
import { noticeFor } from "../../examples/dashboard/notifications";
import { keysTable, statusOf } from "../../examples/dashboard/views";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

function key(overrides: Partial<ListedKey>): ListedKey {
  return {
    id: "key_a",
    name: "zapier",
    scopes: ["competitors:read"],
    hint: "niq_live_…x7Qa",
    created_at: "2026-12-01T00:00:00.000Z",
    expires_at: null,
    revoked_at: null,
    last_used_at: null,
    rate_limit_per_minute: null,
    allowed_ips: null,
    revoked_reason: null,
    rolled_from: null,
    rolled_to: null,
    leak: null,
    mode: "live",
    ...overrides,
  };
}

describe("the keys table", () => {
  it("warns 'expiring' only within 7 days; further out it is active and the date is shown", async () => {
    expect(statusOf(key({ expires_at: "2027-03-01T00:00:00.000Z" }), NOW)).toBe("active");
    expect(statusOf(key({ expires_at: "2026-12-08T11:59:59.000Z" }), NOW)).toBe("expiring");
    expect(statusOf(key({ expires_at: "2026-12-01T11:00:00.000Z" }), NOW)).toBe("expired");
    const html = String(await keysTable([key({ expires_at: "2027-03-01T00:00:00.000Z" })]));
    expect(html).toContain("expires 1 Mar 2027");
  });

  it("shows rate limit, allowed IPs and requests; marks test keys; the roll form says the new key's expiry", async () => {
    const html = String(
      await keysTable(
        [
          key({
            rate_limit_per_minute: 30,
            allowed_ips: ["203.0.113.0/24"],
            mode: "test",
            created_at: new Date(Date.now() - 10 * 86_400_000).toISOString(),
            expires_at: new Date(Date.now() + 20 * 86_400_000).toISOString(),
          }),
        ],
        new Map([["key_a", 42]]),
      ),
    );
    expect(html).toContain("30 / min");
    expect(html).toContain("203.0.113.0/24");
    expect(html).toContain('data-requests="42"');
    expect(html).toContain('<span class="mode test">test</span>');
    expect(html).toMatch(/Left empty: the new key expires \d{1,2} [A-Z][a-z]{2} \d{4} \(the same lifetime\)\./);
  });
});

describe("notifications", () => {
  const base = { id: "evt_01", account_id: "acme", created_at: "2026-12-01T12:00:00.000Z", actor: "edge" };
  const names = new Map([["key_a", "ci"]]);

  it("read as sentences a customer understands", () => {
    expect(
      noticeFor(
        { ...base, type: "key.expiring", data: { key_id: "key_a", expires_at: "2026-12-07T12:00:00.000Z" } },
        names,
        NOW,
      ).text,
    ).toBe("Key 'ci' expires in 6 days. Roll it to keep your integration working.");
    expect(
      noticeFor(
        {
          ...base,
          type: "quota.exhausted",
          data: { window: "day", limit: 10_000, resets_at: "2026-12-02T00:00:00.000Z" },
        },
        names,
        NOW,
      ).text,
    ).toBe("Your daily quota of 10,000 requests is used up; it resets at 00:00 UTC.");
    const leaked = noticeFor(
      {
        ...base,
        actor: "github-secret-scanning",
        type: "key.revoked",
        data: { key_id: "key_a", reason: "leaked", leak: { url: "https://github.com/o/r/blob/main/.env" } },
      },
      names,
      NOW,
    );
    expect([leaked.text, leaked.link]).toEqual([
      "Your key 'ci' was found in a public GitHub repository and revoked. Create a new key and remove the old one from the repository.",
      "https://github.com/o/r/blob/main/.env",
    ]);
  });
});
