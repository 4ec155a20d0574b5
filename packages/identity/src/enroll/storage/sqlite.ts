// SQLite store of the identity service (better-sqlite3, one file in the service's data dir, WAL).
// Every method is one synchronous statement or transaction, so writes are serialised and the
// primary keys make linking and participation atomic.
import Database from 'better-sqlite3';
import { VeilError } from '@veil/crypto';
import type { UserPublicKey } from '../user-key.ts';
import { IDENTITY_MIGRATIONS, pendingRow, type IdentityStore, type PendingGroupUpdate, type PendingRow } from './types.ts';

/**
 * Opens (and migrates) the SQLite identity store.
 *
 * @example
 * import { openSqliteIdentityStore } from '@veil/identity/enroll/storage';
 * const store = openSqliteIdentityStore({ path: 'data/enclave/identity.sqlite' });
 */
export function openSqliteIdentityStore(opts: { path: string; nativeBinding?: string }): IdentityStore {
  // nativeBinding: the addon's path, for bundles (the enclave bundle cannot find it the usual way).
  const db = new Database(opts.path, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
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
  const selectLeaf = db.prepare('SELECT leaf_index FROM identity_group_members WHERE member = ?');
  const selectSeq = db.prepare('SELECT seq FROM identity_registrar WHERE id = 1');
  const upsertLeaf = db.prepare('INSERT INTO identity_group_members (member, leaf_index) VALUES (?, ?) ON CONFLICT (member) DO UPDATE SET leaf_index = excluded.leaf_index');
  const updateSeq = db.prepare('UPDATE identity_registrar SET seq = ? WHERE id = 1 AND seq < ?');
  const clearPending = db.prepare('DELETE FROM identity_registrar_pending WHERE seq = ?');
  const selectPending = db.prepare('SELECT * FROM identity_registrar_pending WHERE id = 1');
  const insertPending = db.prepare('INSERT INTO identity_registrar_pending (id, seq, member, expected, leaf_index, body) VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const record = db.transaction((member: string, expected: number | undefined, leafIndex: number, seq: number): boolean => {
    if ((selectLeaf.get(member) as { leaf_index: number } | undefined)?.leaf_index !== expected) return false;
    if (updateSeq.run(seq, seq).changes !== 1) return false;
    upsertLeaf.run(member, leafIndex);
    clearPending.run(seq);
    return true;
  });
  const begin = db.transaction((p: PendingGroupUpdate): boolean => {
    if ((selectSeq.get() as { seq: number }).seq + 1 !== p.seq) return false;
    return insertPending.run(p.seq, p.member, p.expected ?? null, p.leafIndex, JSON.stringify({ update: p.update, signature: p.signature })).changes === 1;
  });
  return {
    groupLeaf: async (member) => (selectLeaf.get(member) as { leaf_index: number } | undefined)?.leaf_index,
    registrarSeq: async () => (selectSeq.get() as { seq: number }).seq,
    recordGroupLeaf: async (member, expected, leafIndex, seq) => record(member, expected, leafIndex, seq),
    beginGroupUpdate: async (p) => begin(p),
    pendingGroupUpdate: async () => pendingRow(selectPending.get() as PendingRow | undefined),
    abandonGroupUpdate: async (seq) => void clearPending.run(seq),
    linkKey: async (uid, key) => link(uid, key),
    uidOfKey: async (key) => (selectKey.get(key.alg, key.publicKey) as { uid: string } | undefined)?.uid,
    participate: async (context, uid) => insertPart.run(context, uid).changes === 1,
    close: async () => void db.close(),
  };
}
