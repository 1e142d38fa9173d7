import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Block, contains, formatBlock, parseAddress, parseBlock } from "../../src/net/cidr";

const norm = (text: string) => {
  const block = parseBlock(text);
  return block ? formatBlock(block) : null;
};

describe("parseBlock and formatBlock (docs/lifecycle.md)", () => {
  it("normalizes as docs/lifecycle.md says: network address, /32 or /128 for one address, RFC 5952 text", () => {
    expect(norm("203.0.113.7")).toBe("203.0.113.7/32");
    expect(norm("198.51.100.77/24")).toBe("198.51.100.0/24");
    expect(norm("2001:DB8::/32")).toBe("2001:db8::/32");
    expect(norm("2001:0db8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1/128");
    expect(norm("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1/128");
    expect(norm("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1/128");
    expect(norm("::")).toBe("::/128");
    expect(norm("::1")).toBe("::1/128");
    expect(norm("fe80::1:2/64")).toBe("fe80::/64");
    expect(norm("0.0.0.0/0")).toBe("0.0.0.0/0");
    expect(norm("::/0")).toBe("::/0");
  });

  it("stores IPv4-mapped IPv6 as its IPv4 form", () => {
    expect(norm("::ffff:192.0.2.1")).toBe("192.0.2.1/32");
    expect(norm("::ffff:192.0.2.0/120")).toBe("192.0.2.0/24");
    expect(norm("::FFFF:c000:0201")).toBe("192.0.2.1/32");
    expect(norm("::ffff:0:0/96")).toBe("0.0.0.0/0");
    expect(norm("::ffff:0:0/95")).toBe("::fffe:0:0/95");
  });

  it("refuses anything that is not an address or block", () => {
    for (const bad of [
      "",
      " 1.2.3.4",
      "1.2.3.4 ",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "01.2.3.4",
      "1.2.3.4/33",
      "1.2.3.4/",
      "1.2.3.4/024",
      "1.2.3.4/-1",
      "1.2.3.4/a",
      "::1/129",
      "1::2::3",
      "12345::",
      "g::1",
      "fe80::1%eth0",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7::8",
      "::1.2.3",
      "::1.2.3.256",
      "localhost",
      "1.2.3.4/32/1",
    ]) {
      expect(parseBlock(bad), bad).toBeNull();
    }
  });

  it("round-trips: what it prints parses back to the same block (property)", () => {
    const v4 = fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }));
    const v6 = fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }));
    fc.assert(
      fc.property(fc.oneof(v4, v6), ([bytes, prefix]) => {
        const text = bytes.length === 4 ? `${Array.from(bytes).join(".")}/${prefix}` : `${hex(bytes)}/${prefix}`;
        const once = norm(text);
        expect(once).not.toBeNull();
        expect(norm(once as string)).toBe(once);
      }),
      { numRuns: 1_000 },
    );
  });
});

function hex(bytes: Uint8Array): string {
  return Array.from({ length: 8 }, (_, i) =>
    (((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)).toString(16),
  ).join(":");
}

function addressAt(block: Block, offset: bigint): Block {
  let value = 0n;
  for (const b of block.bytes) value = (value << 8n) | BigInt(b);
  value += offset;
  const bytes = new Uint8Array(block.bytes.length);
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return { version: block.version, bytes, prefix: block.bytes.length * 8 };
}

describe("contains", () => {
  it("holds the first and last address of a block of every prefix length, and neither neighbour outside", () => {
    for (const [base, bits] of [
      ["10.20.30.40", 32],
      ["2001:db8:1234:5678:9abc:def0:1234:5678", 128],
    ] as const) {
      for (let prefix = 1; prefix < bits; prefix++) {
        const block = parseBlock(`${base}/${prefix}`) as Block;
        const size = 1n << BigInt(bits - prefix);
        expect(contains(block, addressAt(block, 0n)), `${base}/${prefix} first`).toBe(true);
        expect(contains(block, addressAt(block, size - 1n)), `${base}/${prefix} last`).toBe(true);
        expect(contains(block, addressAt(block, size)), `${base}/${prefix} after`).toBe(false);
        expect(contains(block, addressAt(block, -1n)), `${base}/${prefix} before`).toBe(false);
      }
    }
  });

  it("matches an IPv4-mapped client address as IPv4, and never across families", () => {
    const v4 = parseBlock("192.0.2.0/24") as Block;
    expect(contains(v4, parseAddress("::ffff:192.0.2.200") as Block)).toBe(true);
    expect(contains(v4, parseAddress("192.0.2.200") as Block)).toBe(true);
    expect(contains(v4, parseAddress("192.0.3.1") as Block)).toBe(false);
    expect(contains(parseBlock("::/0") as Block, parseAddress("192.0.2.1") as Block)).toBe(false);
    expect(contains(parseBlock("0.0.0.0/0") as Block, parseAddress("2001:db8::1") as Block)).toBe(false);
    expect(contains(parseBlock("0.0.0.0/0") as Block, parseAddress("::ffff:10.0.0.1") as Block)).toBe(true);
    expect(parseAddress("192.0.2.0/24")).toBeNull();
    expect(parseAddress("not an ip")).toBeNull();
  });
});
