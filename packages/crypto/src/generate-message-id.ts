/**
 * A fresh post id: 16 bytes from the platform CSPRNG (WebCrypto `getRandomValues`), lowercase hex.
 * Ids are client-chosen so the signature can cover them; the server only accepts this exact shape
 * and refuses any id it has seen (replay).
 */
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * @example
 * import { generateMessageId } from '@veil/crypto/generate-message-id';
 * const id = generateMessageId(); // '9f3c…' (32 hex chars)
 */
export function generateMessageId(): string {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}
