/**
 * The ID-token nonce that binds an ephemeral key: nonce = hex(Poseidon2([epk_hi, epk_lo, salt, expiry]))
 * where Poseidon2 is Barretenberg's sponge (bb.js 0.86.0 `poseidon2Hash`, the same construction as
 * `circuits/lib/jwt/src/poseidon2.nr`), epk_hi / epk_lo are the big-endian integers of the first and
 * last 16 bytes of the 32-byte Ed25519 public key (all 256 bits, each < 2^128), salt is a BN254 field
 * element and expiry unix seconds (u64). Encoding: 64 lowercase hex digits, big-endian, no 0x — the
 * string the membership circuit compares byte for byte with the token's `nonce` claim.
 * Works in Node and browsers (bb.js WASM, no threads needed for a hash).
 */
import { BarretenbergSync, Fr } from '@aztec/bb.js';
import { BN254_R, bytesToBigInt } from './lib/pack.ts';

let bb: Promise<BarretenbergSync> | undefined;
function barretenberg(): Promise<BarretenbergSync> {
  bb ??= BarretenbergSync.initSingleton();
  return bb;
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * The two 128-bit field elements of a 32-byte Ed25519 public key: [hi, lo], big-endian halves.
 *
 * @example
 * import { epkToFields } from '@veil/crypto';
 * const [hi, lo] = epkToFields(publicKey);
 * @throws {TypeError} when `epk` is not 32 bytes.
 */
export function epkToFields(epk: Uint8Array): [bigint, bigint] {
  if (!(epk instanceof Uint8Array) || epk.length !== 32) throw new TypeError('epk must be a 32-byte Uint8Array');
  return [bytesToBigInt(epk.subarray(0, 16)), bytesToBigInt(epk.subarray(16, 32))];
}

/** The salt as a field element (bigint, or big-endian bytes); TypeError unless 0 <= salt < r. */
export function saltToField(salt: bigint | Uint8Array): bigint {
  const s = salt instanceof Uint8Array ? bytesToBigInt(salt) : salt;
  if (typeof s !== 'bigint') throw new TypeError('salt must be a bigint or a Uint8Array');
  if (s < 0n || s >= BN254_R) throw new TypeError('salt must be a BN254 field element (0 <= salt < r)');
  return s;
}

/** expiry as a u64 bigint; TypeError unless a non-negative integer below 2^64. */
export function expiryToBigInt(expiry: number | bigint): bigint {
  if (typeof expiry === 'number' && !Number.isSafeInteger(expiry)) throw new TypeError('expiry must be an integer (unix seconds)');
  if (typeof expiry !== 'number' && typeof expiry !== 'bigint') throw new TypeError('expiry must be a number or bigint');
  const e = BigInt(expiry);
  if (e < 0n || e > U64_MAX) throw new TypeError('expiry must fit in a u64');
  return e;
}

/**
 * The nonce string that must appear in the ID token's `nonce` claim.
 *
 * @example
 * import { nonce, generateEphemeralKey } from '@veil/crypto';
 * const n = await nonce(generateEphemeralKey().publicKey, 42n, 1767225600); // 64 hex chars
 * @throws {TypeError} on a malformed epk, a salt outside the field, or an expiry outside u64.
 */
export async function nonce(epk: Uint8Array, salt: bigint | Uint8Array, expiry: number | bigint): Promise<string> {
  const [hi, lo] = epkToFields(epk);
  const s = saltToField(salt);
  const e = expiryToBigInt(expiry);
  const api = await barretenberg();
  const h = api.poseidon2Hash([new Fr(hi), new Fr(lo), new Fr(s), new Fr(e)]);
  return h.toString().slice(2).padStart(64, '0');
}
