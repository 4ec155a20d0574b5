// PostgreSQL store of the identity service (node-postgres pool, DATABASE_URL). `schema` isolates
// a deployment or a test in its own PostgreSQL schema (created if missing). INSERT … ON CONFLICT
// DO NOTHING on the primary keys makes linking and participation atomic across connections.
import pg from 'pg';
import { VeilError } from '@veil/crypto';
import { IDENTITY_MIGRATIONS, pendingRow, type IdentityStore, type PendingRow } from './types.ts';

export interface PostgresIdentityStoreOptions {
  connectionString: string;
  /** Default `public`. */
  schema?: string;
  /** Drop the schema on close (throwaway test schemas). */
  dropSchemaOnClose?: boolean;
}

/** Runs `work` in a transaction on one connection: committed when it returns true, else (or on an error) rolled back. */
async function transaction(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<boolean>): Promise<boolean> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const ok = await work(c);
    await c.query(ok ? 'COMMIT' : 'ROLLBACK');
    return ok;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

/**
 * Opens (and migrates) the PostgreSQL identity store.
 *
 * @example
 * import { openPostgresIdentityStore } from '@veil/identity/enroll/storage';
 * const store = await openPostgresIdentityStore({ connectionString: process.env.DATABASE_URL! });
 */
export async function openPostgresIdentityStore(opts: PostgresIdentityStoreOptions): Promise<IdentityStore> {
  const schema = opts.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError('schema must be a lower-case SQL identifier');
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: 10, options: `-c search_path=${schema}` });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await transaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.identity_migrations`]);
    await c.query('CREATE TABLE IF NOT EXISTS identity_schema_migrations (version INTEGER PRIMARY KEY)');
    const applied = new Set((await c.query<{ version: number }>('SELECT version FROM identity_schema_migrations')).rows.map((r) => r.version));
    for (const m of IDENTITY_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO identity_schema_migrations (version) VALUES ($1)', [m.version]);
    }
    return true;
  });
  return {
    async linkKey(uid, key) {
      const r = await pool.query('INSERT INTO identity_keys (alg, public_key, uid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [key.alg, key.publicKey, uid]);
      if (r.rowCount === 1) return 'linked';
      const row = await pool.query<{ uid: string }>('SELECT uid FROM identity_keys WHERE alg = $1 AND public_key = $2', [key.alg, key.publicKey]);
      if (row.rows[0]?.uid === uid) return 'already';
      throw new VeilError('ERR_KEY_LINKED_ELSEWHERE', 'this key is already linked to another person');
    },
    async uidOfKey(key) {
      return (await pool.query<{ uid: string }>('SELECT uid FROM identity_keys WHERE alg = $1 AND public_key = $2', [key.alg, key.publicKey])).rows[0]?.uid;
    },
    async participate(context, uid) {
      return (await pool.query('INSERT INTO identity_participations (context, uid) VALUES ($1, $2) ON CONFLICT DO NOTHING', [context, uid])).rowCount === 1;
    },
    async groupLeaf(member) {
      return (await pool.query<{ leaf_index: number }>('SELECT leaf_index FROM identity_group_members WHERE member = $1', [member])).rows[0]?.leaf_index;
    },
    async registrarSeq() {
      return Number((await pool.query<{ seq: number }>('SELECT seq FROM identity_registrar WHERE id = 1')).rows[0]!.seq);
    },
    recordGroupLeaf(member, expected, leafIndex, seq) {
      return transaction(pool, async (c) => {
        const row = await c.query<{ leaf_index: number }>('SELECT leaf_index FROM identity_group_members WHERE member = $1 FOR UPDATE', [member]);
        const ok = row.rows[0]?.leaf_index === expected
          && (await c.query('UPDATE identity_registrar SET seq = $1 WHERE id = 1 AND seq < $1', [seq])).rowCount === 1;
        if (ok) {
          await c.query('INSERT INTO identity_group_members (member, leaf_index) VALUES ($1, $2) ON CONFLICT (member) DO UPDATE SET leaf_index = excluded.leaf_index', [member, leafIndex]);
          await c.query('DELETE FROM identity_registrar_pending WHERE seq = $1', [seq]);
        }
        return ok;
      });
    },
    beginGroupUpdate(p) {
      return transaction(pool, async (c) => {
        const seq = Number((await c.query<{ seq: number }>('SELECT seq FROM identity_registrar WHERE id = 1 FOR UPDATE')).rows[0]!.seq);
        return seq + 1 === p.seq && (await c.query(
          'INSERT INTO identity_registrar_pending (id, seq, member, expected, leaf_index, body) VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
          [p.seq, p.member, p.expected ?? null, p.leafIndex, JSON.stringify({ update: p.update, signature: p.signature })],
        )).rowCount === 1;
      });
    },
    async pendingGroupUpdate() {
      return pendingRow((await pool.query<PendingRow>('SELECT * FROM identity_registrar_pending WHERE id = 1')).rows[0]);
    },
    async abandonGroupUpdate(seq) {
      await pool.query('DELETE FROM identity_registrar_pending WHERE seq = $1', [seq]);
    },
    async close() {
      if (opts.dropSchemaOnClose) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await pool.end();
    },
  };
}
