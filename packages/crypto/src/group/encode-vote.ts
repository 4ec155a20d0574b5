/**
 * The message a vote's group proof signs: `"veil/vote/v1\n"` followed by the RFC 8785 canonical
 * JSON of `{ v, pollId, option, createdAt }`. Its proof uses scope `poll:<pollId>`, so one person
 * has one nullifier per poll; `createdAt` orders vote changes where a poll allows them.
 * There is no key and no commitment in a vote.
 */
import { canonicalJson } from '../lib/canonical-json.ts';
import { ahex, atime, aversion, domainSeparated } from '../lib/wire-fields.ts';

export interface Vote {
  v: 1;
  /** 16 bytes, lowercase hex. */
  pollId: string;
  /** 0-based option index. */
  option: number;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
}

export const VOTE_DOMAIN = 'veil/vote/v1';

/** The scope of a poll's votes. */
export const voteScope = (pollId: string): string => `poll:${pollId}`;

/**
 * @example
 * import { encodeVote, messageToField } from '@veil/crypto';
 * const message = messageToField(encodeVote({ v: 1, pollId, option: 0, createdAt: Date.now() }));
 * @throws TypeError when a field is missing or malformed.
 */
export function encodeVote(vote: Vote): Uint8Array {
  if (typeof vote !== 'object' || vote === null) throw new TypeError('vote must be an object');
  if (!Number.isSafeInteger(vote.option) || vote.option < 0 || vote.option > 255) throw new TypeError('option must be an integer 0..255');
  const fields = { v: aversion(vote.v), pollId: ahex('pollId', vote.pollId, 16), option: vote.option, createdAt: atime('createdAt', vote.createdAt) };
  return domainSeparated(VOTE_DOMAIN, canonicalJson(fields));
}
