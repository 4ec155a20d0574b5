/**
 * The bytes an ephemeral key signs to like or unlike a post: `"veil/like/v1\n"` followed by the
 * RFC 8785 canonical JSON of `{ v, messageId, action, createdAt, epk }`, UTF-8 encoded.
 *
 * `createdAt` lets the server refuse stale or replayed actions (it keeps the last one per key and
 * post and accepts only newer ones); the domain prefix separates likes from posts and requests.
 */
import { canonicalJson } from './lib/canonical-json.ts';
import { ahex, atime, aversion, domainSeparated } from './lib/wire-fields.ts';

export interface Like {
  v: 1;
  /** The liked post's id (16 bytes lowercase hex). */
  messageId: string;
  action: 'like' | 'unlike';
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
  /** The liker's ephemeral public key, 32 bytes lowercase hex. */
  epk: string;
}

export const LIKE_DOMAIN = 'veil/like/v1';

/**
 * Canonical signing payload of a like/unlike.
 * @example
 * import { encodeLike } from '@veil/crypto/encode-like';
 * const bytes = encodeLike({ v: 1, messageId, action: 'like', createdAt: Date.now(), epk });
 * @throws TypeError when a field is missing or malformed.
 */
export function encodeLike(like: Like): Uint8Array {
  if (typeof like !== 'object' || like === null) throw new TypeError('like must be an object');
  if (like.action !== 'like' && like.action !== 'unlike') throw new TypeError('action must be "like" or "unlike"');
  const fields = {
    v: aversion(like.v),
    messageId: ahex('messageId', like.messageId, 16),
    action: like.action,
    createdAt: atime('createdAt', like.createdAt),
    epk: ahex('epk', like.epk, 32),
  };
  return domainSeparated(LIKE_DOMAIN, canonicalJson(fields));
}
