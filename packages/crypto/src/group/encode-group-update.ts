/**
 * The bytes the registrar signs (Ed25519) to change a group tree: `"veil/group-update/v1\n"`
 * followed by the RFC 8785 canonical JSON of `{ v, seq, group, action, index, commitment, createdAt }`.
 *
 * `seq` numbers every update of one registrar (all groups), from 1 without gaps: a board accepts
 * only the next one, so an update cannot be replayed, dropped or reordered, and the log of
 * signed updates is complete — anyone can recompute every root from it. `index` is where the
 * leaf is inserted (the group's size) or which leaf is removed (set to 0); `commitment` is the
 * leaf inserted or the value removed. No UID or anything else about the person is in an update.
 */
import { canonicalJson } from '../lib/canonical-json.ts';
import { astring, atime, aversion, domainSeparated } from '../lib/wire-fields.ts';
import { afieldHex } from './fields.ts';

export interface GroupUpdate {
  v: 1;
  /** 1, 2, 3, … per registrar. */
  seq: number;
  /** Group id, e.g. `human`, `country:FR`, `member:acme.test`. */
  group: string;
  action: 'insert' | 'remove';
  index: number;
  /** 64 lowercase hex digits. */
  commitment: string;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
}

export const GROUP_UPDATE_DOMAIN = 'veil/group-update/v1';

/**
 * @example
 * import { encodeGroupUpdate, signPayload } from '@veil/crypto';
 * const signature = signPayload(encodeGroupUpdate(update), registrarSecretKey);
 * @throws TypeError when a field is missing or malformed.
 */
export function encodeGroupUpdate(u: GroupUpdate): Uint8Array {
  if (typeof u !== 'object' || u === null) throw new TypeError('update must be an object');
  if (u.action !== 'insert' && u.action !== 'remove') throw new TypeError('action must be "insert" or "remove"');
  if (!Number.isSafeInteger(u.seq) || u.seq < 1) throw new TypeError('seq must be a positive integer');
  if (!Number.isSafeInteger(u.index) || u.index < 0 || u.index >= 2 ** 32) throw new TypeError('index must be an integer 0..2^32-1');
  if (typeof u.group !== 'string' || u.group.length === 0) throw new TypeError('group must be a non-empty string');
  afieldHex('commitment', u.commitment);
  const fields = {
    v: aversion(u.v),
    seq: u.seq,
    group: astring('group', u.group),
    action: u.action,
    index: u.index,
    commitment: u.commitment,
    createdAt: atime('createdAt', u.createdAt),
  };
  return domainSeparated(GROUP_UPDATE_DOMAIN, canonicalJson(fields));
}
