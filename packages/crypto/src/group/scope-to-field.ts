/**
 * The field element of a scope (the context a person may act in once): the top 248 bits of
 * SHA-256("veil/scope/v1\n" ‖ UTF-8(scope)). Scopes Veil uses: `like:<post id>`, `poll:<poll id>`,
 * and a post's or poll's own id for the proof that created it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { astring } from '../lib/wire-fields.ts';
import { digestToField } from './fields.ts';

/** Longest scope in UTF-16 code units. */
export const MAX_SCOPE_LENGTH = 256;

/**
 * @example
 * import { scopeToField } from '@veil/crypto';
 * const field = scopeToField('like:00112233445566778899aabbccddeeff');
 * @throws TypeError when the scope is empty, too long or not well-formed UTF-16.
 */
export function scopeToField(scope: string): bigint {
  astring('scope', scope);
  if (scope.length === 0 || scope.length > MAX_SCOPE_LENGTH) throw new TypeError(`scope must be 1-${MAX_SCOPE_LENGTH} characters`);
  return digestToField(sha256(new TextEncoder().encode(`veil/scope/v1\n${scope}`)));
}
