/**
 * Ephemeral Ed25519 key pairs (RFC 8032) for Veil: the public key is bound into the ID token's nonce
 * and then signs board messages. Keys are raw 32-byte Ed25519 keys (noble-curves); randomness comes
 * from WebCrypto `getRandomValues` via noble. Also the lowercase-hex helpers used on the wire and CLI.
 */
import { ed25519 } from '@noble/curves/ed25519.js';

/**
 * A fresh Ed25519 key pair.
 *
 * @example
 * import { generateEphemeralKey } from '@veil/crypto';
 * const { secretKey, publicKey } = generateEphemeralKey(); // 32 bytes each
 */
export function generateEphemeralKey(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = ed25519.utils.randomSecretKey();
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Lowercase hex of `bytes`.
 *
 * @example
 * import { bytesToHex } from '@veil/crypto';
 * bytesToHex(new Uint8Array([1, 255])); // '01ff'
 * @throws {TypeError} when `bytes` is not a Uint8Array.
 */
export function bytesToHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Bytes of a hex string (either case, optional 0x prefix), optionally of an exact length.
 *
 * @example
 * import { hexToBytes } from '@veil/crypto';
 * hexToBytes('01ff', 2); // Uint8Array [1, 255]
 * @throws {TypeError} on non-hex input or a length other than `length`.
 */
export function hexToBytes(hex: string, length?: number): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError('hex must be a string');
  const h = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (!HEX.test(h)) throw new TypeError('hex must be an even number of hex digits');
  if (length !== undefined && h.length !== 2 * length) throw new TypeError(`hex must encode ${length} bytes`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}
