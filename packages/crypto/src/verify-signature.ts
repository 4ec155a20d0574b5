/**
 * Ed25519 (RFC 8032, pure) verification of a signature over a canonical payload under Veil's one
 * strict rule (`ed25519-strict.ts`: S < L, canonical A and R, neither of small order, cofactorless
 * equation), with @noble/curves point arithmetic. The browser and the CLI call this; the server
 * applies the same byte checks and OpenSSL's (identical, cofactorless) equation, so all three
 * accept exactly the same signatures.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { aEd25519PublicKey, aEd25519Signature } from './ed25519-strict.ts';
import { VeilError, isVeilError } from './errors.ts';

const HEX = /^[0-9a-f]*$/;
const { Point } = ed25519;

function littleEndian(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/**
 * Verifies `signature` (64 bytes hex) by `publicKey` (32 bytes hex) over `payload`.
 * Returns the payload when valid.
 * @example
 * import { verifySignature } from '@veil/crypto/verify-signature';
 * verifySignature(encodePost(post), signature, post.epk);
 * @throws VeilError ERR_SIGNATURE_MALFORMED (not 64/32 bytes of hex), ERR_SIGNATURE_INVALID (also for
 *   a non-canonical or small-order key, R or S).
 */
export function verifySignature(payload: Uint8Array, signature: string, publicKey: string): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
  if (typeof signature !== 'string' || signature.length !== 128 || !HEX.test(signature)) {
    throw new VeilError('ERR_SIGNATURE_MALFORMED', 'signature must be 64 bytes of lowercase hex');
  }
  if (typeof publicKey !== 'string' || publicKey.length !== 64 || !HEX.test(publicKey)) {
    throw new VeilError('ERR_SIGNATURE_MALFORMED', 'public key must be 32 bytes of lowercase hex');
  }
  const sig = aEd25519Signature(hexToBytes(signature));
  const pk = hexToBytes(publicKey);
  try {
    aEd25519PublicKey(pk);
  } catch (e) {
    if (isVeilError(e)) throw new VeilError('ERR_SIGNATURE_INVALID', e.message, { cause: e });
    throw e;
  }
  const A = Point.fromBytes(pk, false);
  const r = sig.subarray(0, 32);
  const k = Point.Fn.create(littleEndian(sha512(concatBytes(r, pk, payload))));
  const expectedR = Point.BASE.multiplyUnsafe(littleEndian(sig.subarray(32))).subtract(A.multiplyUnsafe(k)).toBytes();
  let same = 0;
  for (let i = 0; i < 32; i++) same |= expectedR[i]! ^ r[i]!;
  if (same !== 0) throw new VeilError('ERR_SIGNATURE_INVALID', 'Ed25519 signature does not verify');
  return payload;
}
