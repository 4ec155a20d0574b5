/**
 * `tag ‖ 0x00 ‖ (u16 length ‖ bytes)*`: the one injective encoding of the identity service's
 * OPRF inputs and nonces, so that inputs under different tags, or with fields split differently,
 * can never collide.
 *
 * @example
 * taggedEncoding('veil-identity/uid-input/v1', [name, birthdate, nationality]);
 * @throws TypeError when a part is longer than 65535 bytes.
 */
export function taggedEncoding(tag: string, parts: readonly Uint8Array[]): Uint8Array {
  const t = new TextEncoder().encode(`${tag}\0`);
  const out = new Uint8Array(t.length + parts.reduce((n, p) => n + 2 + p.length, 0));
  out.set(t, 0);
  let o = t.length;
  for (const p of parts) {
    if (p.length > 0xffff) throw new TypeError('field too long');
    out[o++] = p.length >> 8;
    out[o++] = p.length & 0xff;
    out.set(p, o);
    o += p.length;
  }
  return out;
}
