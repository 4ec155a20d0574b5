// SQLite store of the identity service (better-sqlite3, one file in the service's data dir, WAL).
// Every method is one synchronous statement or transaction, so writes are serialised and the
// primary keys make linking and participation atomic.
import Database from 'better-sqlite3';
import { VeilError } from '@veil/crypto';
import type { UserPublicKey } from '../user-key.ts';
import { IDENTITY_MIGRATIONS, type IdentityStore } from './types.ts';

/**
 * Opens (and migrates) the SQLite identity store.
 *
 * @example
 * import { openSqliteIdentityStore } from '@veil/identity/enroll/storage';
 * const store = openSqliteIdentityStore({ path: 'data/enclave/identity.sqlite' });
 */
export function openSqliteIdentityStore(opts: { path: string }): IdentityStore {
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS identity_schema_migrations (version INTEGER PRIMARY KEY)');
  const applied = new Set((db.prepare('SELECT version FROM identity_schema_migrations').all() as { version: number }[]).map((r) => r.version));
  for (const m of IDENTITY_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO identity_schema_migrations (version) VALUES (?)').run(m.version);
    })();
  }
  const insertKey = db.prepare('INSERT INTO identity_keys (alg, public_key, uid) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const selectKey = db.prepare('SELECT uid FROM identity_keys WHERE alg = ? AND public_key = ?');
  const insertPart = db.prepare('INSERT INTO identity_participations (context, uid) VALUES (?, ?) ON CONFLICT DO NOTHING');
  const link = db.transaction((uid: string, key: UserPublicKey): 'linked' | 'already' => {
    if (insertKey.run(key.alg, key.publicKey, uid).changes === 1) return 'linked';
    const row = selectKey.get(key.alg, key.publicKey) as { uid: string } | undefined;
    if (row?.uid === uid) return 'already';
    throw new VeilError('ERR_KEY_LINKED_ELSEWHERE', 'this key is already linked to another person');
  });
  return {
    linkKey: async (uid, key) => link(uid, key),
    uidOfKey: async (key) => (selectKey.get(key.alg, key.publicKey) as { uid: string } | undefined)?.uid,
    participate: async (context, uid) => insertPart.run(context, uid).changes === 1,
    close: async () => void db.close(),
  };
}
