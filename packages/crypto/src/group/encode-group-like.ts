/**
 * The message a like in a person group signs with its group proof: `"veil/group-like/v1\n"`
 * followed by the RFC 8785 canonical JSON of `{ v, messageId, createdAt }`. Scope
 * `like:<messageId>`: one like per person and post. Person-group likes cannot be withdrawn (an
 * unlike would need a second nullifier per person, i.e. a second scope).
 */
import { canonicalJson } from '../lib/canonical-json.ts';
import { ahex, atime, aversion, domainSeparated } from '../lib/wire-fields.ts';

export interface GroupLike {
  v: 1;
  messageId: string;
  createdAt: number;
}

export const GROUP_LIKE_DOMAIN = 'veil/group-like/v1';

/** The scope of a post's likes. */
export const likeScope = (messageId: string): string => `like:${messageId}`;

/**
 * @example
 * import { encodeGroupLike } from '@veil/crypto';
 * const bytes = encodeGroupLike({ v: 1, messageId, createdAt: Date.now() });
 * @throws TypeError when a field is missing or malformed.
 */
export function encodeGroupLike(l: GroupLike): Uint8Array {
  if (typeof l !== 'object' || l === null) throw new TypeError('like must be an object');
  const fields = { v: aversion(l.v), messageId: ahex('messageId', l.messageId, 16), createdAt: atime('createdAt', l.createdAt) };
  return domainSeparated(GROUP_LIKE_DOMAIN, canonicalJson(fields));
}
