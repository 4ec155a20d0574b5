/**
 * A fresh identity secret: 31 bytes from the platform CSPRNG (WebCrypto), so always below r.
 * Whoever holds it can act in every group its commitment was registered in: keep it private.
 */
import { bytesToBigInt } from '../lib/pack.ts';
import { fieldToHex } from './fields.ts';

/**
 * @example
 * import { generateIdentitySecret } from '@veil/crypto';
 * const secret = generateIdentitySecret(); // 64 hex digits
 */
export function generateIdentitySecret(): string {
  return fieldToHex(bytesToBigInt(globalThis.crypto.getRandomValues(new Uint8Array(31))));
}
