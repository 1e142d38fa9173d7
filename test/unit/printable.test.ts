import { describe, expect, it } from "vitest";
import { printable } from "../../scripts/printable.mjs";

describe("printable (the key CLI's output)", () => {
  it("escapes control characters, bidi overrides and isolates, and lone surrogates", () => {
    expect(printable("a\u001b[2Jb")).toBe("a\\u{1b}[2Jb");
    expect(printable("x\u0000\u007f\u0085\u009fy")).toBe("x\\u{0}\\u{7f}\\u{85}\\u{9f}y");
    expect(printable("\u202eevil\u2066")).toBe("\\u{202e}evil\\u{2066}");
    expect(printable("lone\ud800")).toBe("lone\\u{d800}");
    expect(printable("\udc00x")).toBe("\\u{dc00}x");
  });

  it("leaves ordinary text, emoji and combining marks alone", () => {
    expect(printable("Zapier — prod 🚀 e\u0301 日本")).toBe("Zapier — prod 🚀 e\u0301 日本");
    expect(printable(null)).toBe("null");
  });
});
