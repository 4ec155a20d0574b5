/**
 * The message a poll's creation proof signs: `"veil/poll/v1\n"` followed by the RFC 8785 canonical
 * JSON of `{ v, id, group, question, options, closesAt, allowChange, createdAt }`. The creator
 * proves membership of `group` with scope = the poll id (one proof per poll, unlinkable to the
 * creator's other actions). `closesAt` is null for a poll that never closes.
 */
import { canonicalJson } from '../lib/canonical-json.ts';
import { ahex, astring, atime, aversion, domainSeparated } from '../lib/wire-fields.ts';

export interface Poll {
  v: 1;
  /** 16 random bytes, lowercase hex (see `generateMessageId`). */
  id: string;
  group: string;
  question: string;
  /** 2..16 option texts. */
  options: string[];
  /** Milliseconds since the Unix epoch, or null. */
  closesAt: number | null;
  /** Whether a voter may change their vote (the latest counts). */
  allowChange: boolean;
  createdAt: number;
}

export const POLL_DOMAIN = 'veil/poll/v1';

/**
 * @example
 * import { encodePoll } from '@veil/crypto';
 * const bytes = encodePoll({ v: 1, id, group: 'human', question: 'Tea?', options: ['yes', 'no'], closesAt: null, allowChange: false, createdAt: Date.now() });
 * @throws TypeError when a field is missing or malformed.
 */
export function encodePoll(p: Poll): Uint8Array {
  if (typeof p !== 'object' || p === null) throw new TypeError('poll must be an object');
  if (!Array.isArray(p.options) || p.options.length < 2 || p.options.length > 16) throw new TypeError('options must be 2-16 strings');
  if (typeof p.allowChange !== 'boolean') throw new TypeError('allowChange must be a boolean');
  if (typeof p.group !== 'string' || p.group.length === 0) throw new TypeError('group must be a non-empty string');
  const fields = {
    v: aversion(p.v),
    id: ahex('id', p.id, 16),
    group: astring('group', p.group),
    question: astring('question', p.question),
    options: p.options.map((o, i) => astring(`options[${i}]`, o)),
    closesAt: p.closesAt === null ? null : atime('closesAt', p.closesAt),
    allowChange: p.allowChange,
    createdAt: atime('createdAt', p.createdAt),
  };
  return domainSeparated(POLL_DOMAIN, canonicalJson(fields));
}
