/**
 * @module
 * IP addresses and CIDR blocks for per-key allowlists (docs/lifecycle.md): parsing, normalization and
 * matching. Pure functions, no dependency. An IPv4-mapped IPv6 address or block (`::ffff:a.b.c.d`,
 * `::ffff:0:0/96` and longer) is stored and matched as IPv4. Normalized text: the network address of
 * the block, IPv6 lowercase and compressed as RFC 5952 §4 says, a single address as `/32` or `/128`.
 */

export interface Block {
  readonly version: 4 | 6;
  /** The network address, 4 or 16 bytes. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    // No leading zeros: "010" is octal to some parsers and decimal to others.
    if (!DECIMAL.test(part) || part.length > 3) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

function groupsOf(text: string): number[] | null {
  if (text === "") return [];
  const groups: number[] = [];
  for (const group of text.split(":")) {
    if (!HEX_GROUP.test(group)) return null;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

function parseIPv6(text: string): Uint8Array | null {
  let head = text;
  let tail: number[] = [];
  // An embedded IPv4 address may end the text (`::ffff:192.0.2.1`).
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.slice(lastColon + 1).includes(".")) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return null;
    tail = [((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number)];
    head = text.slice(0, lastColon + 1);
    // Keep a `::` that runs into the IPv4 part; drop a single separating `:`.
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  let groups: number[];
  if (halves.length === 2) {
    const left = groupsOf(halves[0] as string);
    const right = groupsOf(halves[1] as string);
    if (!left || !right) return null;
    const missing = 8 - left.length - right.length - tail.length;
    if (missing < 1) return null;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right, ...tail];
  } else {
    const all = groupsOf(head);
    if (!all) return null;
    groups = [...all, ...tail];
  }
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function isV4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && V4_MAPPED_PREFIX.every((b, i) => bytes[i] === b);
}

/** Clears the host bits of `bytes` past `prefix`: the block's network address. */
function networkOf(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.min(8, Math.max(0, prefix - 8 * i));
    out[i] = (bytes[i] as number) & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

/** An address, IPv4 or IPv6 (IPv4-mapped IPv6 as IPv4), as a block of one; `null` when it is not one. */
export function parseAddress(text: string): Block | null {
  if (text.includes(":")) {
    const bytes = parseIPv6(text);
    if (!bytes) return null;
    if (isV4Mapped(bytes)) return { version: 4, bytes: bytes.slice(12), prefix: 32 };
    return { version: 6, bytes, prefix: 128 };
  }
  const bytes = parseIPv4(text);
  return bytes ? { version: 4, bytes, prefix: 32 } : null;
}

/**
 * An address or CIDR block (`203.0.113.7`, `198.51.100.0/24`, `2001:db8::/32`,
 * `::ffff:192.0.2.0/120`), reduced to its network address; `null` when it is not one.
 *
 * @example
 * formatBlock(parseBlock("2001:DB8::1/32")!) // "2001:db8::/32"
 */
export function parseBlock(text: string): Block | null {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? null : text.slice(slash + 1);
  const ip = address.includes(":") ? parseIPv6(address) : parseIPv4(address);
  if (!ip) return null;
  const max = ip.length * 8;
  let prefix = max;
  if (prefixText !== null) {
    if (!DECIMAL.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (prefix > max) return null;
  }
  if (ip.length === 16 && isV4Mapped(ip) && prefix >= 96) {
    return { version: 4, bytes: networkOf(ip.slice(12), prefix - 96), prefix: prefix - 96 };
  }
  return { version: ip.length === 4 ? 4 : 6, bytes: networkOf(ip, prefix), prefix };
}

/** IPv6 text as RFC 5952 §4 wants it: lowercase, no leading zeros, the longest run of zero groups (two or more, the first of equals) as `::`. */
function formatIPv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** The normalized text of a block: `192.0.2.0/24`, `2001:db8::/32`, `203.0.113.7/32`. */
export function formatBlock(block: Block): string {
  const address = block.version === 4 ? Array.from(block.bytes).join(".") : formatIPv6(block.bytes);
  return `${address}/${block.prefix}`;
}

/** Whether `address` (a block of one, from {@link parseAddress}) lies in `block`. */
export function contains(block: Block, address: Block): boolean {
  if (block.version !== address.version) return false;
  const masked = networkOf(address.bytes, block.prefix);
  return masked.every((b, i) => b === block.bytes[i]);
}
