// PostgreSQL storage (node-postgres pool). Writes run in one transaction each; likes lock the
// message row (SELECT … FOR UPDATE) so concurrent likes on one post serialise and the count stays
// equal to the number of liked rows. `schema` isolates a deployment (or a test file) in its own
// PostgreSQL schema; it is created if missing and set as the search_path of every connection.
import pg from 'pg';
import { VeilError } from '@veil/crypto';
import { MIGRATIONS } from './migrations.ts';
import { bundleKey } from './bundle-key.ts';
import type { Bundle } from '../schemas.ts';
import { mergeGroupStats } from './group-stats.ts';
import type { IssuerKeyRow, MembershipRow, MessageRow, PutMembershipResult, Storage } from './types.ts';

interface MsgDb { seq: string; id: string; grp: string; internal: boolean; text: string; created_at: string; epk: string; signature: string; received_at: string; likes: number }
interface MemDb { epk: string; grp: string; iss: string; kid: string; expiry: string; circuit_id: string; bundle: string; created_at: string }
interface KeyDb { iss: string; kid: string; jwk: string; first_seen: string; last_seen: string }

const msg = (r: MsgDb): MessageRow => ({
  seq: Number(r.seq), id: r.id, group: r.grp, internal: r.internal, text: r.text, createdAt: Number(r.created_at),
  epk: r.epk, signature: r.signature, receivedAt: Number(r.received_at), likes: r.likes,
});
const mem = (r: MemDb): MembershipRow => ({
  epk: r.epk, group: r.grp, iss: r.iss, kid: r.kid, expiry: Number(r.expiry), circuitId: r.circuit_id,
  bundle: JSON.parse(r.bundle), createdAt: Number(r.created_at),
});
const key = (r: KeyDb): IssuerKeyRow => ({ iss: r.iss, kid: r.kid, jwk: JSON.parse(r.jwk), firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen) });

export interface PostgresOptions {
  connectionString: string;
  /** PostgreSQL schema to use (created if missing). Default `public`. */
  schema?: string;
  max?: number;
  /** Drop the schema on close (for tests that use a throwaway schema). */
  dropSchemaOnClose?: boolean;
}

/**
 * @example
 * import { openPostgresStorage } from '@veil/server';
 * const storage = await openPostgresStorage({ connectionString: process.env.DATABASE_URL! });
 */
export async function openPostgresStorage(opts: PostgresOptions): Promise<Storage> {
  const schema = opts.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError('schema must be a lower-case SQL identifier');
  const setup = new pg.Client({ connectionString: opts.connectionString });
  await setup.connect();
  try {
    await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await setup.end();
  }
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.max ?? 10, options: `-c search_path=${schema}` });

  const tx = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  };

  await tx(async (c) => {
    // One migrator at a time across processes.
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`veil-migrate-${schema}`]);
    await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await c.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await c.query(m.postgres);
      await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, Date.now()]);
    }
  });

  return {
    kind: 'postgres',
    putMembership: (m) =>
      tx(async (c): Promise<PutMembershipResult> => {
        const bundle = JSON.stringify(m.bundle);
        const ins = await c.query(
          'INSERT INTO memberships (epk, grp, iss, kid, expiry, circuit_id, bundle, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (epk) DO NOTHING',
          [m.epk, m.group, m.iss, m.kid, m.expiry, m.circuitId, bundle, m.createdAt],
        );
        if (ins.rowCount === 1) return 'created';
        const { rows } = await c.query<MemDb>('SELECT * FROM memberships WHERE epk = $1 FOR UPDATE', [m.epk]);
        const cur = rows[0]!;
        if (bundleKey(JSON.parse(cur.bundle) as Bundle) === bundleKey(m.bundle)) return 'unchanged';
        if (cur.grp === m.group && cur.iss === m.iss && m.expiry > Number(cur.expiry)) {
          await c.query('UPDATE memberships SET kid = $1, expiry = $2, circuit_id = $3, bundle = $4, created_at = $5 WHERE epk = $6', [
            m.kid, m.expiry, m.circuitId, bundle, m.createdAt, m.epk,
          ]);
          return 'renewed';
        }
        throw new VeilError('ERR_MEMBERSHIP_CONFLICT', 'this key already holds a different membership');
      }),
    async getMembership(epk) {
      const { rows } = await pool.query<MemDb>('SELECT * FROM memberships WHERE epk = $1', [epk]);
      return rows[0] ? mem(rows[0]) : null;
    },
    async getMembershipStatus(epk) {
      const { rows } = await pool.query<{ grp: string; expiry: string }>('SELECT grp, expiry FROM memberships WHERE epk = $1', [epk]);
      return rows[0] ? { group: rows[0].grp, expiry: Number(rows[0].expiry) } : null;
    },
    async insertMessage(m) {
      const { rows } = await pool.query<{ seq: string }>(
        'INSERT INTO messages (id, grp, internal, text, created_at, epk, signature, received_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (id) DO NOTHING RETURNING seq',
        [m.id, m.group, m.internal, m.text, m.createdAt, m.epk, m.signature, m.receivedAt],
      );
      if (rows.length === 0) throw new VeilError('ERR_MESSAGE_ID_TAKEN', 'a message with this id exists (replay?)');
      return { ...m, seq: Number(rows[0]!.seq), likes: 0 };
    },
    async getMessage(id) {
      const { rows } = await pool.query<MsgDb>('SELECT * FROM messages WHERE id = $1', [id]);
      return rows[0] ? msg(rows[0]) : null;
    },
    async listMessages(q) {
      const before = q.before ?? Number.MAX_SAFE_INTEGER;
      if (q.group === undefined) {
        if (q.internal) return [];
        const { rows } = await pool.query<MsgDb>('SELECT * FROM messages WHERE internal = false AND seq < $1 ORDER BY seq DESC LIMIT $2', [before, q.limit]);
        return rows.map(msg);
      }
      const { rows } = await pool.query<MsgDb>('SELECT * FROM messages WHERE grp = $1 AND internal = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4', [
        q.group, q.internal, before, q.limit,
      ]);
      return rows.map(msg);
    },
    applyLike: (a) =>
      tx(async (c) => {
        const m = await c.query<{ likes: number }>('SELECT likes FROM messages WHERE id = $1 FOR UPDATE', [a.messageId]);
        if (m.rows.length === 0) throw new VeilError('ERR_NOT_FOUND', 'no such message');
        const { rows } = await c.query<{ liked: boolean; updated_at: string }>('SELECT liked, updated_at FROM likes WHERE message_id = $1 AND epk = $2', [a.messageId, a.epk]);
        const cur = rows[0];
        if (cur && a.createdAt <= Number(cur.updated_at)) throw new VeilError('ERR_LIKE_REPLAY', 'a newer or identical like action from this key exists');
        await c.query(
          'INSERT INTO likes (message_id, epk, liked, updated_at) VALUES ($1,$2,$3,$4) ON CONFLICT (message_id, epk) DO UPDATE SET liked = excluded.liked, updated_at = excluded.updated_at',
          [a.messageId, a.epk, a.liked, a.createdAt],
        );
        const delta = (a.liked ? 1 : 0) - (cur?.liked ? 1 : 0);
        if (delta === 0) return { liked: a.liked, likes: m.rows[0]!.likes };
        const u = await c.query<{ likes: number }>('UPDATE messages SET likes = likes + $1 WHERE id = $2 RETURNING likes', [delta, a.messageId]);
        return { liked: a.liked, likes: u.rows[0]!.likes };
      }),
    recordIssuerKeys: (iss, keys, now) =>
      tx(async (c) => {
        for (const k of keys) {
          await c.query(
            'INSERT INTO issuer_keys (iss, kid, jwk, first_seen, last_seen) VALUES ($1,$2,$3,$4,$4) ON CONFLICT (iss, kid) DO UPDATE SET last_seen = excluded.last_seen WHERE issuer_keys.jwk = excluded.jwk',
            [iss, k.kid, JSON.stringify(k.jwk), now],
          );
        }
      }),
    async getIssuerKey(iss, kid) {
      const { rows } = await pool.query<KeyDb>('SELECT * FROM issuer_keys WHERE iss = $1 AND kid = $2', [iss, kid]);
      return rows[0] ? key(rows[0]) : null;
    },
    async listIssuerKeys(iss) {
      const { rows } = iss === undefined
        ? await pool.query<KeyDb>('SELECT * FROM issuer_keys ORDER BY iss, first_seen, kid')
        : await pool.query<KeyDb>('SELECT * FROM issuer_keys WHERE iss = $1 ORDER BY first_seen, kid', [iss]);
      return rows.map(key);
    },
    async listGroupStats(now) {
      const [members, posts] = await Promise.all([
        pool.query<{ grp: string; active: string; total: string }>('SELECT grp, SUM(CASE WHEN expiry > $1 THEN 1 ELSE 0 END) AS active, COUNT(*) AS total FROM memberships GROUP BY grp', [Math.floor(now / 1000)]),
        pool.query<{ grp: string; n: string; last: string | null }>('SELECT grp, COUNT(*) AS n, MAX(created_at) AS last FROM messages WHERE internal = false GROUP BY grp'),
      ]);
      return mergeGroupStats(members.rows, posts.rows);
    },
    async close() {
      if (opts.dropSchemaOnClose && schema !== 'public') await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}
