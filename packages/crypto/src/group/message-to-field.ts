/**
 * The field element a group proof signs: the top 248 bits of SHA-256(payload), where `payload` is
 * a canonical, domain-separated encoding (`encodeVote`, `encodePoll`, `encodeGroupPost`,
 * `encodeGroupLike`). The proof is valid for this one value only.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { digestToField, fieldToHex } from './fields.ts';

/**
 * @example
 * import { encodeVote, messageToField } from '@veil/crypto';
 * const message = messageToField(encodeVote(vote)); // 64 hex digits
 * @throws TypeError when `payload` is not a Uint8Array.
 */
export function messageToField(payload: Uint8Array): string {
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
  return fieldToHex(digestToField(sha256(payload)));
}
