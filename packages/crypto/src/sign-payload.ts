/**
 * Ed25519 (RFC 8032, pure) signature over a canonical payload (`encodePost`, `encodeLike`,
 * `encodeRequest`) with a raw 32-byte secret key, via @noble/curves. For scripts and the CLI; the
 * browser signs the same payload with a non-extractable WebCrypto key instead.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/**
 * Signs `payload` and returns the 64-byte signature as lowercase hex.
 * @example
 * import { signPayload } from '@veil/crypto/sign-payload';
 * const signature = signPayload(encodePost(post), secretKeyHex);
 * @throws TypeError when the key is not 32 bytes (hex or bytes).
 */
export function signPayload(payload: Uint8Array, secretKey: string | Uint8Array): string {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
  const sk = typeof secretKey === 'string' ? hexToBytes(secretKey) : secretKey;
  if (!(sk instanceof Uint8Array) || sk.length !== 32) throw new TypeError('secretKey must be 32 bytes');
  return bytesToHex(ed25519.sign(payload, sk));
}
