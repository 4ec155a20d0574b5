/**
 * Ed25519 (RFC 8032, pure) verification of a signature over a canonical payload, via
 * @noble/curves with ZIP-215 disabled (strict RFC 8032 encodings, as node:crypto/OpenSSL) so that
 * the browser, the CLI and the server agree on every edge case that matters: non-canonical
 * encodings of R, A or s ≥ L are rejected.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { VeilError } from './errors.ts';

const HEX = /^[0-9a-f]*$/;

/**
 * Verifies `signature` (64 bytes hex) by `publicKey` (32 bytes hex) over `payload`.
 * Returns the payload when valid.
 * @example
 * import { verifySignature } from '@veil/crypto/verify-signature';
 * verifySignature(encodePost(post), signature, post.epk);
 * @throws VeilError ERR_SIGNATURE_MALFORMED (not 64/32 bytes of hex), ERR_SIGNATURE_INVALID.
 */
export function verifySignature(payload: Uint8Array, signature: string, publicKey: string): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
  if (typeof signature !== 'string' || signature.length !== 128 || !HEX.test(signature)) {
    throw new VeilError('ERR_SIGNATURE_MALFORMED', 'signature must be 64 bytes of lowercase hex');
  }
  if (typeof publicKey !== 'string' || publicKey.length !== 64 || !HEX.test(publicKey)) {
    throw new VeilError('ERR_SIGNATURE_MALFORMED', 'public key must be 32 bytes of lowercase hex');
  }
  let ok = false;
  try {
    ok = ed25519.verify(hexToBytes(signature), payload, hexToBytes(publicKey), { zip215: false });
  } catch {
    ok = false;
  }
  if (!ok) throw new VeilError('ERR_SIGNATURE_INVALID', 'Ed25519 signature does not verify');
  return payload;
}
