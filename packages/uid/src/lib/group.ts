/**
 * The group of the UID service's one ciphersuite: ristretto255 (RFC 9496) and its scalar field
 * (order ℓ = 2^252 + 27742317777372353535851937790883648493), on libsodium compiled to
 * WebAssembly (libsodium-wrappers-sumo 0.8.4; runs in Node and browsers). Elements are 32-byte
 * canonical encodings, scalars 32-byte little-endian, always reduced (< ℓ).
 *
 * Trust: libsodium's field/group arithmetic (constant time), its one-way map
 * `crypto_core_ristretto255_from_hash` (RFC 9496 §4.3.4) and its SHA-512.
 * libsodium edge cases handled here, not left to callers:
 * - `is_valid_point` accepts the identity (all zeros); `decodeElement` rejects it, since RFC 9497
 *   §3.3 requires that of every element arriving from the wire;
 * - `scalarmult` throws when the result is the identity (scalar 0 or ≡ 0 mod ℓ) and silently clears
 *   a scalar's top bit: `mul` returns the identity for a zero scalar and refuses scalars ≥ ℓ, so it
 *   is total and exact on canonical scalars;
 * - `from_hash` reads 64 bytes without checking the length: `fromUniform` checks it.
 */
import sodium from 'libsodium-wrappers-sumo';
import { VeilError } from '@veil/crypto';

await sodium.ready;

/** RFC 9497 caps inputs at 2^16 - 1 bytes (they are length-prefixed with two bytes). */
export const MAX_INPUT_BYTES = 0xffff;

/** The identity element's (only) encoding. */
export const IDENTITY: Uint8Array = new Uint8Array(32);

/** ℓ, little-endian. */
const ORDER = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/** Random bytes source (tests inject fixed ones). */
export type RNG = (bytes: number) => Uint8Array;

function isZero(b: Uint8Array): boolean {
  let acc = 0;
  for (const x of b) acc |= x;
  return acc === 0;
}

/** True for a 32-byte little-endian integer < ℓ. */
export function isCanonicalScalar(s: Uint8Array): boolean {
  if (!(s instanceof Uint8Array) || s.length !== 32) return false;
  for (let i = 31; i >= 0; i--) {
    if (s[i]! !== ORDER[i]!) return s[i]! < ORDER[i]!;
  }
  return false;
}

/** True for a canonical encoding of any element, the identity included. */
export function isCanonicalElement(p: Uint8Array): boolean {
  return p instanceof Uint8Array && p.length === 32 && sodium.crypto_core_ristretto255_is_valid_point(p);
}

export function isIdentity(p: Uint8Array): boolean {
  return isZero(p);
}

/** Checks a non-identity element from outside or throws VeilError `code`. Returns it. */
export function decodeElement(bytes: Uint8Array, code: string, what: string): Uint8Array {
  if (!isCanonicalElement(bytes)) throw new VeilError(code, `${what} is not a canonical ristretto255 element`);
  if (isIdentity(bytes)) throw new VeilError(code, `${what} is the identity element`);
  return bytes;
}

/** Checks a canonical non-zero scalar from outside or throws VeilError `code`. Returns it. */
export function decodeScalar(bytes: Uint8Array, code: string, what: string): Uint8Array {
  if (!isCanonicalScalar(bytes)) throw new VeilError(code, `${what} is not a canonical ristretto255 scalar`);
  if (isZero(bytes)) throw new VeilError(code, `${what} is zero`);
  return bytes;
}

function aScalar(s: Uint8Array): Uint8Array {
  if (!isCanonicalScalar(s)) throw new TypeError('scalar must be 32 bytes, canonical (< ℓ)');
  return s;
}

/** s · P for a canonical scalar and element (identity if either is zero); throws for a non-canonical P. */
export function mul(s: Uint8Array, p: Uint8Array): Uint8Array {
  if (isZero(aScalar(s)) || isZero(p)) return IDENTITY.slice();
  // libsodium decodes P (refusing non-canonical bytes); s ≠ 0 mod ℓ and P ≠ identity in a group of
  // prime order ℓ, so the result is never the identity it would throw for.
  return sodium.crypto_scalarmult_ristretto255(s, p);
}

/** s · G (identity for s = 0). */
export function mulBase(s: Uint8Array): Uint8Array {
  if (isZero(aScalar(s))) return IDENTITY.slice();
  return sodium.crypto_scalarmult_ristretto255_base(s);
}

/** P + Q (either may be the identity). Throws for non-canonical input. */
export function add(p: Uint8Array, q: Uint8Array): Uint8Array {
  return sodium.crypto_core_ristretto255_add(p, q);
}

/** The one-way map of 64 uniform bytes to an element (RFC 9496 §4.3.4). */
export function fromUniform(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 64) throw new TypeError('fromUniform takes 64 bytes');
  return sodium.crypto_core_ristretto255_from_hash(bytes);
}

/** A 64-byte little-endian integer mod ℓ. */
export function reduceWide(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 64) throw new TypeError('reduceWide takes 64 bytes');
  return sodium.crypto_core_ristretto255_scalar_reduce(bytes);
}

export const scalarAdd = (x: Uint8Array, y: Uint8Array): Uint8Array => sodium.crypto_core_ristretto255_scalar_add(aScalar(x), aScalar(y));
export const scalarSub = (x: Uint8Array, y: Uint8Array): Uint8Array => sodium.crypto_core_ristretto255_scalar_sub(aScalar(x), aScalar(y));
export const scalarMul = (x: Uint8Array, y: Uint8Array): Uint8Array => sodium.crypto_core_ristretto255_scalar_mul(aScalar(x), aScalar(y));

/** x⁻¹ mod ℓ; TypeError for 0. */
export function scalarInvert(x: Uint8Array): Uint8Array {
  if (isZero(aScalar(x))) throw new TypeError('cannot invert the zero scalar');
  return sodium.crypto_core_ristretto255_scalar_invert(x);
}

/** A small non-negative integer as a scalar. */
export function scalarFromInt(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError('scalarFromInt takes a non-negative safe integer');
  const out = new Uint8Array(32);
  for (let i = 0, x = n; x > 0; i++, x = Math.floor(x / 256)) out[i] = x % 256;
  return out;
}

// WebCrypto directly: libsodium.js's randombytes_buf draws 4 bytes per call to the host's RNG.
const webRandom: RNG = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

/** RFC 9497 RandomScalar: a uniformly random non-zero scalar (64 random bytes reduced mod ℓ). */
export function randomScalar(rng: RNG = webRandom): Uint8Array {
  for (;;) {
    const s = reduceWide(rng(64));
    if (!isZero(s)) return s;
  }
}

export function sha512(data: Uint8Array): Uint8Array {
  return sodium.crypto_hash_sha512(data);
}
