/**
 * What the identity service stores — and all it stores: UIDs, the public keys linked to them,
 * participation records (context + UID) and the registrar's keyed hashes of (UID, group) → leaf
 * index with its sequence number (and at most one update in flight, `PendingGroupUpdate`). Never a name, date of birth, nationality or any hash of
 * them (the UID is a keyed OPRF output, not a hash: computing it needs the UID service).
 */
import type { GroupUpdate } from '@veil/crypto';
import type { UserPublicKey } from '../user-key.ts';

/**
 * A signed update the registrar is about to send (write-ahead): what to record once the board
 * acknowledges it. Holds a member hash next to a commitment only until then — no more than the
 * recorded member → leaf index and the board's public log (index → commitment) say together.
 */
export interface PendingGroupUpdate {
  seq: number;
  member: string;
  /** The member's leaf index before (undefined for a first registration). */
  expected: number | undefined;
  leafIndex: number;
  update: GroupUpdate;
  signature: string;
}

export interface IdentityStore {
  /**
   * Links `key` to `uid`. Linking a key again to the same UID is a no-op ('already').
   * @throws VeilError ERR_KEY_LINKED_ELSEWHERE when the key belongs to another UID.
   */
  linkKey(uid: string, key: UserPublicKey): Promise<'linked' | 'already'>;
  /** The UID (hex) a key is linked to, if any. */
  uidOfKey(key: UserPublicKey): Promise<string | undefined>;
  /** Records that `uid` takes part in `context`; false when it already has (atomic, also under concurrency). */
  participate(context: string, uid: string): Promise<boolean>;
  /** The leaf index registered under a registrar member key (keyed hash of UID and group), if any. */
  groupLeaf(member: string): Promise<number | undefined>;
  /** The registrar's last used sequence number (0 before the first update). */
  registrarSeq(): Promise<number>;
  /**
   * Records what one accepted registration did: `member` → `leafIndex` and the last sequence
   * number used, in one transaction. Refuses (false) when `member` changed meanwhile: `expected`
   * is the index read before (undefined for a first registration).
   */
  recordGroupLeaf(member: string, expected: number | undefined, leafIndex: number, seq: number): Promise<boolean>;
  /**
   * Writes the update about to be sent; false when one is pending already or `p.seq` is not the
   * registrar's sequence number + 1. `recordGroupLeaf` of the same seq clears it.
   */
  beginGroupUpdate(p: PendingGroupUpdate): Promise<boolean>;
  /** The update sent but not yet recorded (a crash or an unreachable board), if any. */
  pendingGroupUpdate(): Promise<PendingGroupUpdate | undefined>;
  /** Drops the pending update `seq` (the board refused it: it was not applied). */
  abandonGroupUpdate(seq: number): Promise<void>;
  close(): Promise<void>;
}

export type PendingRow = { seq: number | string; member: string; expected: number | null; leaf_index: number; body: string };

/** A `identity_registrar_pending` row as the store's type (both dialects). */
export function pendingRow(r: PendingRow | undefined): PendingGroupUpdate | undefined {
  if (!r) return undefined;
  const { update, signature } = JSON.parse(r.body) as Pick<PendingGroupUpdate, 'update' | 'signature'>;
  return { seq: Number(r.seq), member: r.member, expected: r.expected ?? undefined, leafIndex: r.leaf_index, update, signature };
}

/** Numbered migrations, one SQL text per dialect; never edit a shipped one. */
export const IDENTITY_MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE identity_keys (
        alg TEXT NOT NULL, public_key TEXT NOT NULL, uid TEXT NOT NULL, PRIMARY KEY (alg, public_key));
      CREATE INDEX identity_keys_uid ON identity_keys (uid);
      CREATE TABLE identity_participations (
        context TEXT NOT NULL, uid TEXT NOT NULL, PRIMARY KEY (context, uid));`,
  },
  {
    // The registrar: H(UID, group) (HMAC with a sealed key) → leaf index, and its sequence number.
    version: 2,
    sql: `
      CREATE TABLE identity_group_members (member TEXT PRIMARY KEY, leaf_index INTEGER NOT NULL);
      CREATE TABLE identity_registrar (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
      INSERT INTO identity_registrar (id, seq) VALUES (1, 0);`,
  },
  {
    // The registrar's write-ahead entry: the one update sent and not yet recorded.
    version: 3,
    sql: `
      CREATE TABLE identity_registrar_pending (
        id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, member TEXT NOT NULL, expected INTEGER,
        leaf_index INTEGER NOT NULL, body TEXT NOT NULL);`,
  },
];
