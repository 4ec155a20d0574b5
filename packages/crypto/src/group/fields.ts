/**
 * Constants and field encodings of the one-person group proof (`circuits/group`, `circuits/lib/merkle`).
 * Tags are ASCII strings read as big-endian integers, exactly the Noir globals; group field values
 * travel as 64 lowercase hex digits (big-endian, no 0x), always below the BN254 scalar modulus r.
 */
import { BN254_R, bytesToBigInt } from '../lib/pack.ts';

const tag = (s: string) => bytesToBigInt(new TextEncoder().encode(s));

/** Poseidon2 tag of a commitment: Poseidon2([COMMITMENT_TAG, secret]). */
export const COMMITMENT_TAG = tag('veil/group/commitment/v1');
/** Poseidon2 tag of a nullifier: Poseidon2([NULLIFIER_TAG, scope, secret]). */
export const NULLIFIER_TAG = tag('veil/group/nullifier/v1');
/** Poseidon2 tag of a LeanIMT inner node: Poseidon2([NODE_TAG, left, right]). */
export const NODE_TAG = tag('veil/group/node/v1');
/** Deepest tree the circuit supports (2^32 leaves). */
export const MAX_GROUP_DEPTH = 32;

const HEX64 = /^[0-9a-f]{64}$/;

/** A field element as 64 lowercase hex digits. */
export function fieldToHex(x: bigint): string {
  if (typeof x !== 'bigint' || x < 0n || x >= BN254_R) throw new TypeError('not a BN254 field element');
  return x.toString(16).padStart(64, '0');
}

/**
 * Parses 64 lowercase hex digits as a field element; `name` appears in the error.
 * @throws TypeError when malformed or not below r.
 */
export function afieldHex(name: string, v: unknown): bigint {
  if (typeof v !== 'string' || !HEX64.test(v)) throw new TypeError(`${name} must be 64 lowercase hex digits`);
  const x = BigInt(`0x${v}`);
  if (x >= BN254_R) throw new TypeError(`${name} is not a BN254 field element`);
  return x;
}

/** The top 248 bits of a 32-byte digest: always a field element. */
export function digestToField(digest: Uint8Array): bigint {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) throw new TypeError('digest must be 32 bytes');
  return bytesToBigInt(digest.subarray(0, 31));
}
