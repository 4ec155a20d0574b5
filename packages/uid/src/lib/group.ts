/**
 * The one ciphersuite of the UID service: RFC 9497 VOPRF, mode 0x01, ristretto255-SHA512
 * (contextString "OPRFV1-\x01-ristretto255-SHA512"), as implemented by @noble/curves 2.4.0
 * `ristretto255_oprf`. Elements are 32-byte canonical ristretto255 encodings (RFC 9496), scalars
 * 32-byte little-endian, proofs c ‖ s (64 bytes), outputs SHA-512 (64 bytes).
 *
 * Trust: noble's group arithmetic, hash-to-group and DLEQ code. Point decoding (fromBytes) rejects
 * non-canonical encodings; the identity element is rejected separately wherever an element arrives
 * from the wire (RFC 9497 §3.3.1/§3.3.2 require it).
 */
import { ristretto255, ristretto255_oprf } from '@noble/curves/ed25519.js';
import { VeilError } from '@veil/crypto';

export const suite = ristretto255_oprf;
export const Point = ristretto255.Point;
export type RistrettoPoint = InstanceType<typeof ristretto255.Point>;
export const Fn = ristretto255.Point.Fn;

/** Byte lengths of the suite's encodings. */
export const LENGTHS = Object.freeze({ element: 32, scalar: 32, proof: 64, output: 64 });

/** RFC 9497 caps inputs at 2^16 - 1 bytes (they are length-prefixed with two bytes). */
export const MAX_INPUT_BYTES = 0xffff;

/** Decodes a non-identity element or throws VeilError `code`. */
export function decodeElement(bytes: Uint8Array, code: string, what: string): RistrettoPoint {
  let p: RistrettoPoint;
  try {
    p = Point.fromBytes(bytes);
  } catch (cause) {
    throw new VeilError(code, `${what} is not a canonical ristretto255 element`, { cause });
  }
  if (p.equals(Point.ZERO)) throw new VeilError(code, `${what} is the identity element`);
  return p;
}

/** Decodes a canonical non-zero scalar or throws VeilError `code`. */
export function decodeScalar(bytes: Uint8Array, code: string, what: string): bigint {
  let s: bigint;
  try {
    s = Fn.fromBytes(bytes);
  } catch (cause) {
    throw new VeilError(code, `${what} is not a canonical ristretto255 scalar`, { cause });
  }
  if (s === 0n) throw new VeilError(code, `${what} is zero`);
  return s;
}
