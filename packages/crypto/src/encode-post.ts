/**
 * The bytes an ephemeral key signs to publish a post: `"veil/post/v1\n"` followed by the RFC 8785
 * canonical JSON of `{ v, id, group, internal, text, createdAt, epk }`, UTF-8 encoded.
 *
 * Every field is covered, so neither the id (replay under a new id), the group, the visibility
 * (`internal`: flip members-only to public), the time nor the text can be changed without the key.
 * The domain prefix keeps a post signature from being valid as a like or a signed request.
 * Not checked here: membership, clock skew, text length limits, id uniqueness (the server does).
 * Unicode: text is signed as given, with no normalisation (NFC and NFD spellings are different
 * posts); lone surrogates are refused.
 */
import { canonicalJson } from './lib/canonical-json.ts';
import { ahex, astring, atime, aversion, domainSeparated } from './lib/wire-fields.ts';

/** A post as signed and as sent over the wire. */
export interface Post {
  v: 1;
  /** 16 random bytes, lowercase hex, chosen by the client (see `generateMessageId`). */
  id: string;
  /** The group (email domain) the author proved membership of. */
  group: string;
  /** true = members-only board of `group`. */
  internal: boolean;
  text: string;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
  /** The author's ephemeral Ed25519 public key, 32 bytes lowercase hex. */
  epk: string;
}

export const POST_DOMAIN = 'veil/post/v1';

/**
 * Canonical signing payload of a post.
 * @example
 * import { encodePost } from '@veil/crypto/encode-post';
 * const bytes = encodePost({ v: 1, id, group: 'acme.test', internal: false, text: 'hi', createdAt: Date.now(), epk });
 * @throws TypeError when a field is missing or malformed.
 */
export function encodePost(post: Post): Uint8Array {
  if (typeof post !== 'object' || post === null) throw new TypeError('post must be an object');
  if (typeof post.internal !== 'boolean') throw new TypeError('internal must be a boolean');
  if (typeof post.group !== 'string' || post.group.length === 0) throw new TypeError('group must be a non-empty string');
  const fields = {
    v: aversion(post.v),
    id: ahex('id', post.id, 16),
    group: astring('group', post.group),
    internal: post.internal,
    text: astring('text', post.text),
    createdAt: atime('createdAt', post.createdAt),
    epk: ahex('epk', post.epk, 32),
  };
  return domainSeparated(POST_DOMAIN, canonicalJson(fields));
}
