/**
 * Veil's one Ed25519 acceptance rule (RFC 8032 §5.1.7, made strict as libsodium's
 * `crypto_sign_verify_detached` is), applied by every verifier — `verifySignature` here (browser,
 * CLI) and the server's OpenSSL path, which runs these checks before OpenSSL's equation:
 * 1. S is canonical: S < L;
 * 2. A (the public key) and R are canonical encodings: y < p, and no sign bit on an x = 0 point;
 * 3. A and R are not of small order (not one of the 8 points of order dividing 8);
 * 4. A decodes to a curve point (R need not be decoded: step 5 compares its bytes);
 * 5. the cofactorless equation: encode([S]B − [k]A) equals R's bytes, k = SHA-512(R‖A‖M) mod L
 *    (what OpenSSL and libsodium compute; a cofactored check accepts more, so it is not used).
 * Why: OpenSSL checks only 1 and 5, so for A = identity the pair R = identity, S = 0 verifies on
 * every message (and for other small-order A on a fraction of them) — anyone could sign as such a key.
 * Not checked: that A or R lie in the prime-order subgroup (mixed-order points pass 2–4; with the
 * cofactorless equation they give no forgery without the key's secret). Byte checks are not
 * constant time; everything checked here is public.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { VeilError } from './errors.ts';

/** The 8 points of order dividing 8 (identity, order 2, two of order 4, four of order 8), canonical hex. */
export const SMALL_ORDER_POINTS: readonly string[] = Object.freeze([
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
]);
const SMALL_ORDER = SMALL_ORDER_POINTS.map((h) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16)));

// p = 2^255 − 19 and L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const P_LE = Uint8Array.from([0xed, ...new Array<number>(30).fill(0xff), 0x7f]);
const L_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/** a[off..off+32) < b as little-endian integers; `clearTop` ignores a's top bit (a point's sign bit). */
function lessThanLE(a: Uint8Array, off: number, b: Uint8Array, clearTop: boolean): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = i === 31 && clearTop ? a[off + i]! & 0x7f : a[off + i]!;
    if (x !== b[i]) return x < b[i]!;
  }
  return false;
}

function sameBytes(a: Uint8Array, off: number, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[off + i] !== b[i]) return false;
  return true;
}

/** y ∈ {1, p − 1}: the two points with x = 0, whose sign bit must be clear. */
function isXZero(a: Uint8Array, off: number): boolean {
  const y0 = a[off]!;
  if (y0 !== 0x01 && y0 !== 0xec) return false;
  const fill = y0 === 0x01 ? 0x00 : 0xff;
  for (let i = 1; i < 31; i++) if (a[off + i] !== fill) return false;
  return (a[off + 31]! & 0x7f) === (y0 === 0x01 ? 0x00 : 0x7f);
}

/** Why the 32-byte point encoding at `off` breaks rules 2–3, or null. */
function pointProblem(a: Uint8Array, off: number): string | null {
  if (!lessThanLE(a, off, P_LE, true)) return 'is not a canonical encoding (y ≥ p)';
  if ((a[off + 31]! & 0x80) !== 0 && isXZero(a, off)) return 'is not a canonical encoding (x = 0 with the sign bit set)';
  for (const s of SMALL_ORDER) if (sameBytes(a, off, s)) return 'is a point of small order';
  return null;
}

/**
 * Checks an Ed25519 public key (32 bytes) against rules 2–4 and returns it.
 * @example
 * import { aEd25519PublicKey } from '@veil/crypto/ed25519-strict';
 * aEd25519PublicKey(hexToBytes(bundle.claims.epk));
 * @throws VeilError ERR_EPK_INVALID (not 32 bytes, non-canonical, small order, not a curve point).
 */
export function aEd25519PublicKey(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new VeilError('ERR_EPK_INVALID', 'the Ed25519 public key must be 32 bytes');
  const problem = pointProblem(publicKey, 0);
  if (problem) throw new VeilError('ERR_EPK_INVALID', `the Ed25519 public key ${problem}`);
  try {
    ed25519.Point.fromBytes(publicKey, false);
  } catch (cause) {
    throw new VeilError('ERR_EPK_INVALID', 'the Ed25519 public key is not a curve point', { cause });
  }
  return publicKey;
}

/**
 * Checks a 64-byte Ed25519 signature R ‖ S against rules 1–3 (R canonical and not of small order,
 * S < L) and returns it. Byte comparisons only: cheap enough for every signature a server sees.
 * @example
 * import { aEd25519Signature } from '@veil/crypto/ed25519-strict';
 * aEd25519Signature(hexToBytes(signature));
 * @throws VeilError ERR_SIGNATURE_INVALID.
 */
export function aEd25519Signature(signature: Uint8Array): Uint8Array {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new VeilError('ERR_SIGNATURE_INVALID', 'an Ed25519 signature is 64 bytes');
  const problem = pointProblem(signature, 0);
  if (problem) throw new VeilError('ERR_SIGNATURE_INVALID', `the signature's R ${problem}`);
  if (!lessThanLE(signature, 32, L_LE, false)) throw new VeilError('ERR_SIGNATURE_INVALID', "the signature's S is not canonical (S ≥ L)");
  return signature;
}
