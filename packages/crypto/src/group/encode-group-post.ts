/**
 * The message a post in a person group signs with its group proof: `"veil/group-post/v1\n"`
 * followed by the RFC 8785 canonical JSON of `{ v, id, group, text, createdAt }`. Scope = the
 * post id, so each post has its own nullifier and posts stay unlinkable to each other.
 */
import { canonicalJson } from '../lib/canonical-json.ts';
import { ahex, astring, atime, aversion, domainSeparated } from '../lib/wire-fields.ts';

export interface GroupPost {
  v: 1;
  /** 16 random bytes, lowercase hex. */
  id: string;
  group: string;
  text: string;
  createdAt: number;
}

export const GROUP_POST_DOMAIN = 'veil/group-post/v1';

/**
 * @example
 * import { encodeGroupPost } from '@veil/crypto';
 * const bytes = encodeGroupPost({ v: 1, id, group: 'human', text: 'hello', createdAt: Date.now() });
 * @throws TypeError when a field is missing or malformed.
 */
export function encodeGroupPost(p: GroupPost): Uint8Array {
  if (typeof p !== 'object' || p === null) throw new TypeError('post must be an object');
  if (typeof p.group !== 'string' || p.group.length === 0) throw new TypeError('group must be a non-empty string');
  const fields = { v: aversion(p.v), id: ahex('id', p.id, 16), group: astring('group', p.group), text: astring('text', p.text), createdAt: atime('createdAt', p.createdAt) };
  return domainSeparated(GROUP_POST_DOMAIN, canonicalJson(fields));
}
