/**
 * SHA-256 chaining state after a prefix (FIPS 180-4 §6.2), for hashing a message's leading blocks
 * outside the circuit: `circuits/lib/sha256` resumes from this state.
 *
 * Implements only the compression function over whole 64-byte blocks: no padding, since the prefix is
 * always followed by more data. Words are big-endian as in FIPS 180-4. Not constant time (the prefix
 * of an ID token is its header and the start of its payload, hashed in the clear by the verifier too).
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** The SHA-256 initial hash value H(0) (FIPS 180-4 §5.3.3). */
export const SHA256_IV: readonly number[] = Object.freeze([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** One SHA-256 compression of the 64-byte block at `block[off..off+64]` into `h` (in place). */
function compress(h: Uint32Array, block: Uint8Array, off: number): void {
  const w = new Uint32Array(64);
  for (let t = 0; t < 16; t++) {
    const i = off + t * 4;
    w[t] = ((block[i]! << 24) | (block[i + 1]! << 16) | (block[i + 2]! << 8) | block[i + 3]!) >>> 0;
  }
  for (let t = 16; t < 64; t++) {
    const a = w[t - 15]!;
    const b = w[t - 2]!;
    const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
    const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) >>> 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!;
  let e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[t]! + w[t]!) >>> 0;
    const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) >>> 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) >>> 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) >>> 0;
  }
  h[0] = (h[0]! + a) >>> 0;
  h[1] = (h[1]! + b) >>> 0;
  h[2] = (h[2]! + c) >>> 0;
  h[3] = (h[3]! + d) >>> 0;
  h[4] = (h[4]! + e) >>> 0;
  h[5] = (h[5]! + f) >>> 0;
  h[6] = (h[6]! + g) >>> 0;
  h[7] = (h[7]! + hh) >>> 0;
}

/**
 * The SHA-256 chaining state after absorbing `prefix` (whose length must be a multiple of 64).
 * An empty prefix gives the standard IV.
 *
 * @example
 * import { sha256PrefixState } from '@veil/crypto';
 * const state = sha256PrefixState(signedBytes.subarray(0, 128)); // Uint32Array(8)
 * @throws {TypeError} when `prefix` is not a Uint8Array or its length is not a multiple of 64.
 */
export function sha256PrefixState(prefix: Uint8Array): Uint32Array {
  if (!(prefix instanceof Uint8Array)) throw new TypeError('prefix must be a Uint8Array');
  if (prefix.length % 64 !== 0) throw new TypeError(`prefix length must be a multiple of 64, got ${prefix.length}`);
  const h = Uint32Array.from(SHA256_IV);
  for (let off = 0; off < prefix.length; off += 64) compress(h, prefix, off);
  return h;
}

/**
 * Finishes SHA-256 from a chaining state: digest of (prefix ‖ rest) where `state` came from
 * `sha256PrefixState(prefix)` and `prefixLength` = prefix.length. Used to cross-check midstates.
 *
 * @example
 * import { sha256FromState } from '@veil/crypto';
 * sha256FromState(sha256PrefixState(p), p.length, rest); // = sha256(p ‖ rest)
 * @throws {TypeError} on a bad state, a prefix length that is not a non-negative multiple of 64, or non-bytes.
 */
export function sha256FromState(state: Uint32Array, prefixLength: number, rest: Uint8Array): Uint8Array {
  if (!(state instanceof Uint32Array) || state.length !== 8) throw new TypeError('state must be a Uint32Array(8)');
  if (!Number.isSafeInteger(prefixLength) || prefixLength < 0 || prefixLength % 64 !== 0) {
    throw new TypeError('prefixLength must be a non-negative multiple of 64');
  }
  if (!(rest instanceof Uint8Array)) throw new TypeError('rest must be a Uint8Array');
  const total = rest.length + 9;
  const padded = new Uint8Array(Math.ceil(total / 64) * 64);
  padded.set(rest);
  padded[rest.length] = 0x80;
  const bits = BigInt(prefixLength + rest.length) * 8n;
  new DataView(padded.buffer).setBigUint64(padded.length - 8, bits, false);
  const h = Uint32Array.from(state);
  for (let off = 0; off < padded.length; off += 64) compress(h, padded, off);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) view.setUint32(i * 4, h[i]!, false);
  return out;
}
