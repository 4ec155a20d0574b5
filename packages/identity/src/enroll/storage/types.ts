/**
 * What the identity service stores — and all it stores: UIDs, the public keys linked to them and
 * participation records (context + UID). Never a name, date of birth, nationality or any hash of
 * them (the UID is a keyed OPRF output, not a hash: computing it needs the UID service).
 */
import type { UserPublicKey } from '../user-key.ts';

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
  close(): Promise<void>;
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
];
