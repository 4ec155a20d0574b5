/**
 * Field encodings shared with the membership circuit (`circuits/lib/jwt/src/pack.nr`):
 * byte strings packed 31 bytes per BN254 field element (zero-padded, each chunk big-endian), and
 * 0x-prefixed 32-byte hex for bb.js public inputs. BN254_R is the scalar field modulus.
 */

export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Packs `bytes` (at most 31·fields) into `fields` field elements. */
export function packBytes(bytes: Uint8Array, fields: number): bigint[] {
  if (bytes.length > 31 * fields) throw new TypeError(`${bytes.length} bytes do not fit in ${fields} fields`);
  const out: bigint[] = [];
  for (let f = 0; f < fields; f++) {
    let x = 0n;
    for (let j = 0; j < 31; j++) x = (x << 8n) | BigInt(bytes[31 * f + j] ?? 0);
    out.push(x);
  }
  return out;
}

/** A field element as bb.js prints public inputs: 0x + 64 lowercase hex digits. */
export function fieldHex(x: bigint): string {
  if (x < 0n || x >= BN254_R) throw new TypeError('not a field element');
  return '0x' + x.toString(16).padStart(64, '0');
}

/** Big-endian unsigned integer of `bytes`. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}
