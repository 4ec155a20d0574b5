// PostgreSQL storage (node-postgres pool). Writes run in one transaction each; likes lock the
// message row (SELECT … FOR UPDATE) so concurrent likes on one post serialise and the count stays
// equal to the number of liked rows. `schema` isolates a deployment (or a test file) in its own
// PostgreSQL schema; it is created if missing and set as the search_path of every connection.
// Several instances may share one database: rate-limit counters live in an UNLOGGED table, and a
// write that changes a feed is announced with NOTIFY (channel `veil_feed`, payload = schema) right
// after it committed, so every instance drops its cached feed pages. The NOTIFY is a statement of
// its own, not awaited by the write: inside the write's transaction it would take PostgreSQL's
// global notify lock across the commit's disk flush and serialise all posts.
import pg from 'pg';
import { VeilError } from '@veil/crypto';
import { MIGRATIONS } from './migrations.ts';
import { bundleKey } from './bundle-key.ts';
import type { Bundle } from '../schemas.ts';
import { classifyPostgresError, guardDriverErrors } from './driver-errors.ts';
import { sameKeyMaterial } from './same-key-material.ts';
import type { IssuerKeyConflictRow, IssuerKeyRow, MembershipRow, MessageRow, PutMembershipResult, Storage } from './types.ts';

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

const FEED_CHANNEL = 'veil_feed';

type PendingHits = { hits: Array<{ key: string; limit: number }>; win: number; counts: Array<number | null>; resolve: (c: Array<number | null>) => void; reject: (e: unknown) => void };

const ADD_HITS = `INSERT INTO rate_counts (key, win, n) SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[])
  ON CONFLICT (key, win) DO UPDATE SET n = rate_counts.n + excluded.n RETURNING key, win, n`;

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

  // Feed-change announcements, coalesced: every write is followed by a NOTIFY sent after its commit;
  // writes that commit while one is in flight share the next one.
  let notifying: Promise<void> | null = null;
  let nextNotify: Promise<void> | null = null;
  const announceFeedChange = (): Promise<void> => {
    if (nextNotify) return nextNotify;
    const send = async () => {
      nextNotify = null;
      await pool.query('SELECT pg_notify($1, $2)', [FEED_CHANNEL, schema]).catch(() => {}); // the 1 s cache age bound covers a lost notice
    };
    const p: Promise<void> = (notifying ?? Promise.resolve()).then(send).finally(() => {
      if (notifying === p) notifying = null;
    });
    nextNotify = p;
    notifying = p;
    return p;
  };

  // One LISTEN connection per storage, started by the first watcher, reconnecting after errors.
  const watchers = new Set<() => void>();
  let listener: pg.Client | null = null;
  let listening = false;
  let closed = false;
  const listen = (): void => {
    if (closed || listener || watchers.size === 0) return;
    const c = new pg.Client({ connectionString: opts.connectionString });
    listener = c;
    let gone = false;
    const lost = () => {
      if (gone) return;
      gone = true;
      if (listener === c) {
        listener = null;
        listening = false;
      }
      c.end().catch(() => {});
      if (!closed) setTimeout(listen, 1000).unref();
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => {
      if (n.channel === FEED_CHANNEL && n.payload === schema) for (const w of watchers) w();
    });
    c.connect()
      .then(() => c.query(`LISTEN ${FEED_CHANNEL}`))
      .then(() => {
        if (listener !== c) return;
        listening = true;
        for (const w of watchers) w(); // anything missed while not listening
      }, lost);
  };

  // Rate-limit hits, batched: the requests of one event-loop turn are counted together, one
  // statement per position in the hit list (IP, then key), with the increments of a counter summed
  // (32 concurrent posts from one address would otherwise queue on that counter's row lock). Each
  // request gets the count it would have seen alone; a request over the limit at one position is
  // not counted at the next.
  let pendingHits: PendingHits[] = [];
  const flushHits = async () => {
    const batch = pendingHits;
    pendingHits = [];
    try {
      let active = batch;
      for (let level = 0; active.length > 0; level++) {
        const here = active.filter((p) => p.hits.length > level);
        if (here.length === 0) break;
        const add = new Map<string, { key: string; win: number; n: number }>();
        for (const p of here) {
          const id = `${p.win}|${p.hits[level]!.key}`;
          const a = add.get(id) ?? { key: p.hits[level]!.key, win: p.win, n: 0 };
          a.n++;
          add.set(id, a);
        }
        const adds = [...add.values()];
        const { rows } = await pool.query<{ key: string; win: string; n: number }>(ADD_HITS, [adds.map((a) => a.key), adds.map((a) => a.win), adds.map((a) => a.n)]);
        const total = new Map(rows.map((r) => [`${r.win}|${r.key}`, r.n]));
        const nth = new Map<string, number>();
        for (const p of here) {
          const id = `${p.win}|${p.hits[level]!.key}`;
          const i = nth.get(id) ?? 0;
          nth.set(id, i + 1);
          p.counts[level] = total.get(id)! - add.get(id)!.n + i + 1;
        }
        active = here.filter((p) => p.counts[level]! <= p.hits[level]!.limit);
      }
      for (const p of batch) p.resolve(p.hits.map((_, i) => p.counts[i] ?? null));
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  };

  let window = -1;
  const storage: Storage = {
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
      void announceFeedChange();
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
    applyLike: async (a) => {
      const r = await tx(async (c) => {
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
      });
      void announceFeedChange();
      return r;
    },
    recordIssuerKeys: (iss, keys, now) =>
      tx(async (c) => {
        const conflicts: IssuerKeyConflictRow[] = [];
        for (const k of keys) {
          const jwk = JSON.stringify(k.jwk);
          const ins = await c.query('INSERT INTO issuer_keys (iss, kid, jwk, first_seen, last_seen) VALUES ($1,$2,$3,$4,$4) ON CONFLICT (iss, kid) DO NOTHING', [iss, k.kid, jwk, now]);
          if (ins.rowCount === 1) continue;
          const { rows } = await c.query<KeyDb>('SELECT * FROM issuer_keys WHERE iss = $1 AND kid = $2 FOR UPDATE', [iss, k.kid]);
          if (sameKeyMaterial(JSON.parse(rows[0]!.jwk), k.jwk)) {
            await c.query('UPDATE issuer_keys SET last_seen = $3 WHERE iss = $1 AND kid = $2', [iss, k.kid, now]);
            continue;
          }
          const { rows: cr } = await c.query<KeyDb>(
            'INSERT INTO issuer_key_conflicts (iss, kid, jwk, first_seen, last_seen) VALUES ($1,$2,$3,$4,$4) ON CONFLICT (iss, kid, jwk) DO UPDATE SET last_seen = excluded.last_seen RETURNING *',
            [iss, k.kid, jwk, now],
          );
          conflicts.push(key(cr[0]!));
        }
        return conflicts;
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
    async listIssuerKeyConflicts(iss) {
      const { rows } = iss === undefined
        ? await pool.query<KeyDb>('SELECT * FROM issuer_key_conflicts ORDER BY iss, kid, first_seen')
        : await pool.query<KeyDb>('SELECT * FROM issuer_key_conflicts WHERE iss = $1 ORDER BY kid, first_seen', [iss]);
      return rows.map(key);
    },
    async countHits(hits, win) {
      if (win !== window) {
        window = win;
        pool.query('DELETE FROM rate_counts WHERE win < $1', [win]).catch(() => {});
      }
      return new Promise((resolve, reject) => {
        pendingHits.push({ hits, win, counts: [], resolve, reject });
        if (pendingHits.length === 1) setImmediate(() => void flushHits());
      });
    },
    watchFeeds(onChange) {
      watchers.add(onChange);
      listen();
      return {
        live: () => listening,
        close: () => {
          watchers.delete(onChange);
        },
      };
    },
    async close() {
      closed = true;
      const l = listener;
      listener = null;
      listening = false;
      await l?.end().catch(() => {});
      await notifying;
      if (opts.dropSchemaOnClose && schema !== 'public') await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
  return guardDriverErrors(storage, classifyPostgresError);
}
