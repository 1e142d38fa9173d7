/** DER of a raw r ‖ s ECDSA signature, as GitHub sends it: minimal INTEGERs, a 0x00 before a high bit. */
export function toDer(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let v = Array.from(bytes);
    while (v.length > 1 && v[0] === 0) v = v.slice(1);
    if ((v[0] as number) & 0x80) v = [0, ...v];
    return [0x02, v.length, ...v];
  };
  const body = [...integer(raw.subarray(0, 32)), ...integer(raw.subarray(32))];
  return Uint8Array.from([0x30, body.length, ...body]);
}
