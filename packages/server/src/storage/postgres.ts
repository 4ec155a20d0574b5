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
import type { KeyObservation } from '@veil/crypto/key-observation';
import { MIGRATIONS } from './migrations.ts';
import { bundleKey } from './bundle-key.ts';
import { mergeGroupStats } from './group-stats.ts';
import type { Bundle } from '../schemas.ts';
import { classifyPostgresError, guardDriverErrors } from './driver-errors.ts';
import { sameKeyMaterial } from './same-key-material.ts';
import type { GroupLogEntry, GroupPostRow, GroupState, IssuerKeyConflictRow, IssuerKeyRow, MembershipRow, MessageRow, PollRow, PutMembershipResult, Storage, VoteRow } from './types.ts';

interface LogDb { seq: string; grp: string; pos: number; action: 'insert' | 'remove'; leaf_index: string; commitment: string; root: string; created_at: string; received_at: string; signature: string }
interface GroupDb { grp: string; size: string; members: string; root: string; pos: number; last_removal_pos: number | null; updated_at: string }
interface GPostDb { seq: string; id: string; grp: string; text: string; created_at: string; proof: string; received_at: string; likes: number }
interface PollDb { id: string; grp: string; question: string; options: string; closes_at: string | null; allow_change: boolean; created_at: string; proof: string; received_at: string }
interface VoteDb { poll_id: string; nullifier: string; option: number; created_at: string; proof: string; received_at: string }

const logEntry = (r: LogDb): GroupLogEntry => ({
  seq: Number(r.seq), group: r.grp, pos: r.pos, action: r.action, index: Number(r.leaf_index), commitment: r.commitment, root: r.root,
  createdAt: Number(r.created_at), receivedAt: Number(r.received_at), signature: r.signature,
});
const groupState = (r: GroupDb): GroupState => ({
  group: r.grp, size: Number(r.size), members: Number(r.members), root: r.root, pos: r.pos, lastRemovalPos: r.last_removal_pos, updatedAt: Number(r.updated_at),
});
const gpost = (r: GPostDb): GroupPostRow => ({
  seq: Number(r.seq), id: r.id, group: r.grp, text: r.text, createdAt: Number(r.created_at), proof: JSON.parse(r.proof), receivedAt: Number(r.received_at), likes: r.likes,
});
const poll = (r: PollDb): PollRow => ({
  id: r.id, group: r.grp, question: r.question, options: JSON.parse(r.options), closesAt: r.closes_at === null ? null : Number(r.closes_at),
  allowChange: r.allow_change, createdAt: Number(r.created_at), proof: JSON.parse(r.proof), receivedAt: Number(r.received_at),
});
const vote = (r: VoteDb): VoteRow => ({
  pollId: r.poll_id, nullifier: r.nullifier, option: r.option, createdAt: Number(r.created_at), proof: JSON.parse(r.proof), receivedAt: Number(r.received_at),
});
/** PostgreSQL unique_violation: another process inserted the same key first. */
const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

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
    async recordKeyObservation(o) {
      const r = await pool.query(
        'INSERT INTO issuer_key_observations (iss, kid, signer, observed_at, doc) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (iss, kid, signer) DO UPDATE SET observed_at = excluded.observed_at, doc = excluded.doc WHERE excluded.observed_at > issuer_key_observations.observed_at',
        [o.iss, o.kid, o.signer.publicKey, o.observed_at, JSON.stringify(o)],
      );
      return r.rowCount === 1;
    },
    async listKeyObservations(iss, kid) {
      const { rows } = iss === undefined
        ? await pool.query<{ doc: string }>('SELECT doc FROM issuer_key_observations ORDER BY iss, kid, observed_at, signer')
        : kid === undefined
          ? await pool.query<{ doc: string }>('SELECT doc FROM issuer_key_observations WHERE iss = $1 ORDER BY kid, observed_at, signer', [iss])
          : await pool.query<{ doc: string }>('SELECT doc FROM issuer_key_observations WHERE iss = $1 AND kid = $2 ORDER BY observed_at, signer', [iss, kid]);
      return rows.map((r) => JSON.parse(r.doc) as KeyObservation);
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
    async lastGroupSeq() {
      const { rows } = await pool.query<{ seq: string }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM group_log');
      return Number(rows[0]!.seq);
    },
    appendGroupUpdate: (e, st) =>
      tx(async (c) => {
        // One registrar writer at a time across processes; the primary keys back this up.
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['veil-group-log']);
        const { rows } = await c.query<{ seq: string }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM group_log');
        const last = Number(rows[0]!.seq);
        if (e.seq !== last + 1) throw new VeilError('ERR_REGISTRAR_SEQUENCE', `update ${e.seq} is not the next one (${last + 1})`);
        const cur = await c.query<{ pos: number }>('SELECT pos FROM groups WHERE grp = $1', [e.group]);
        if (e.pos !== (cur.rows[0] ? cur.rows[0].pos + 1 : 0)) throw new VeilError('ERR_REGISTRAR_SEQUENCE', 'the group log moved on; retry');
        try {
          await c.query('INSERT INTO group_log (seq, grp, pos, action, leaf_index, commitment, root, created_at, received_at, signature) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)', [
            e.seq, e.group, e.pos, e.action, e.index, e.commitment, e.root, e.createdAt, e.receivedAt, e.signature,
          ]);
        } catch (err) {
          if (isUniqueViolation(err)) throw new VeilError('ERR_REGISTRAR_SEQUENCE', `update ${e.seq} was applied already`);
          throw err;
        }
        await c.query(
          `INSERT INTO groups (grp, size, members, root, pos, last_removal_pos, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7)
           ON CONFLICT (grp) DO UPDATE SET size = excluded.size, members = excluded.members, root = excluded.root, pos = excluded.pos,
           last_removal_pos = COALESCE(excluded.last_removal_pos, groups.last_removal_pos), updated_at = excluded.updated_at`,
          [e.group, st.size, st.members, e.root, e.pos, e.action === 'remove' ? e.pos : null, e.receivedAt],
        );
      }),
    async listGroups() {
      const { rows } = await pool.query<GroupDb>('SELECT * FROM groups ORDER BY grp');
      return rows.map(groupState);
    },
    async getGroup(group) {
      const { rows } = await pool.query<GroupDb>('SELECT * FROM groups WHERE grp = $1', [group]);
      return rows[0] ? groupState(rows[0]) : null;
    },
    async getGroupUpdate(seq) {
      const { rows } = await pool.query<LogDb>('SELECT * FROM group_log WHERE seq = $1', [seq]);
      return rows[0] ? logEntry(rows[0]) : null;
    },
    async listGroupLog(group, since, limit) {
      const { rows } = await pool.query<LogDb>('SELECT * FROM group_log WHERE grp = $1 AND pos >= $2 ORDER BY pos LIMIT $3', [group, since, limit]);
      return rows.map(logEntry);
    },
    async findGroupRoot(group, root) {
      const { rows } = await pool.query<{ pos: number; received_at: string; next_at: string | null; last_removal_pos: number | null }>(
        `SELECT l.pos, l.received_at, n.received_at AS next_at, g.last_removal_pos
           FROM group_log l JOIN groups g ON g.grp = l.grp LEFT JOIN group_log n ON n.grp = l.grp AND n.pos = l.pos + 1
          WHERE l.grp = $1 AND l.root = $2 ORDER BY l.pos DESC LIMIT 1`,
        [group, root],
      );
      const r = rows[0];
      if (!r) return null;
      return { pos: r.pos, becameCurrentAt: Number(r.received_at), supersededAt: r.next_at === null ? null : Number(r.next_at), lastRemovalPos: r.last_removal_pos };
    },
    async insertGroupPost(p) {
      const { rows } = await pool.query<{ seq: string }>(
        'INSERT INTO group_posts (id, grp, text, created_at, proof, received_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (id) DO NOTHING RETURNING seq',
        [p.id, p.group, p.text, p.createdAt, JSON.stringify(p.proof), p.receivedAt],
      );
      if (rows.length === 0) throw new VeilError('ERR_MESSAGE_ID_TAKEN', 'a post with this id exists (replay?)');
      return { ...p, seq: Number(rows[0]!.seq), likes: 0 };
    },
    async getGroupPost(id) {
      const { rows } = await pool.query<GPostDb>('SELECT * FROM group_posts WHERE id = $1', [id]);
      return rows[0] ? gpost(rows[0]) : null;
    },
    async listGroupPosts(group, before, limit) {
      const { rows } = await pool.query<GPostDb>('SELECT * FROM group_posts WHERE grp = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3', [group, before ?? Number.MAX_SAFE_INTEGER, limit]);
      return rows.map(gpost);
    },
    addGroupLike: (l) =>
      tx(async (c) => {
        const post = await c.query('SELECT 1 FROM group_posts WHERE id = $1 FOR UPDATE', [l.messageId]);
        if (post.rows.length === 0) throw new VeilError('ERR_NOT_FOUND', 'no such post');
        const ins = await c.query('INSERT INTO group_likes (message_id, nullifier, created_at, proof, received_at) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING', [
          l.messageId, l.nullifier, l.createdAt, JSON.stringify(l.proof), l.receivedAt,
        ]);
        if (ins.rowCount === 0) throw new VeilError('ERR_NULLIFIER_USED', 'this person already liked this post (nullifier seen in scope like:<post id>)');
        const u = await c.query<{ likes: number }>('UPDATE group_posts SET likes = likes + 1 WHERE id = $1 RETURNING likes', [l.messageId]);
        return { likes: u.rows[0]!.likes };
      }),
    async insertPoll(p) {
      const r = await pool.query(
        'INSERT INTO polls (id, grp, question, options, closes_at, allow_change, created_at, proof, received_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (id) DO NOTHING',
        [p.id, p.group, p.question, JSON.stringify(p.options), p.closesAt, p.allowChange, p.createdAt, JSON.stringify(p.proof), p.receivedAt],
      );
      if (r.rowCount === 0) throw new VeilError('ERR_POLL_ID_TAKEN', 'a poll with this id exists (replay?)');
    },
    async getPoll(id) {
      const { rows } = await pool.query<PollDb>('SELECT * FROM polls WHERE id = $1', [id]);
      return rows[0] ? poll(rows[0]) : null;
    },
    async listPolls(group, limit) {
      const { rows } = await pool.query<PollDb & { voters: string }>(
        'SELECT p.*, (SELECT COUNT(*) FROM votes v WHERE v.poll_id = p.id) AS voters FROM polls p WHERE grp = $1 ORDER BY received_at DESC, id LIMIT $2',
        [group, limit],
      );
      return rows.map((r) => ({ ...poll(r), voters: Number(r.voters) }));
    },
    castVote: (v, allowChange) =>
      tx(async (c): Promise<'created' | 'changed'> => {
        const proof = JSON.stringify(v.proof);
        // ON CONFLICT waits for a concurrent insert of the same (poll, nullifier) and then sees it.
        const ins = await c.query('INSERT INTO votes (poll_id, nullifier, option, created_at, proof, received_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING', [
          v.pollId, v.nullifier, v.option, v.createdAt, proof, v.receivedAt,
        ]);
        if (ins.rowCount === 1) return 'created';
        if (!allowChange) throw new VeilError('ERR_NULLIFIER_USED', 'this person already voted in this poll, and it does not allow changing a vote');
        const { rows } = await c.query<{ created_at: string }>('SELECT created_at FROM votes WHERE poll_id = $1 AND nullifier = $2 FOR UPDATE', [v.pollId, v.nullifier]);
        if (v.createdAt <= Number(rows[0]!.created_at)) throw new VeilError('ERR_VOTE_REPLAY', 'a newer or identical vote of this person is counted');
        await c.query('UPDATE votes SET option = $1, created_at = $2, proof = $3, received_at = $4 WHERE poll_id = $5 AND nullifier = $6', [
          v.option, v.createdAt, proof, v.receivedAt, v.pollId, v.nullifier,
        ]);
        return 'changed';
      }),
    async listVotes(pollId) {
      const { rows } = await pool.query<VoteDb>('SELECT * FROM votes WHERE poll_id = $1 ORDER BY nullifier', [pollId]);
      return rows.map(vote);
    },
    async nullifierUsed(kind, id, nullifier) {
      const sql = kind === 'poll' ? 'SELECT 1 FROM votes WHERE poll_id = $1 AND nullifier = $2' : 'SELECT 1 FROM group_likes WHERE message_id = $1 AND nullifier = $2';
      return (await pool.query(sql, [id, nullifier])).rows.length > 0;
    },
    async listGroupStats(now) {
      const [members, posts] = await Promise.all([
        pool.query<{ grp: string; active: string; total: string }>('SELECT grp, SUM(CASE WHEN expiry > $1 THEN 1 ELSE 0 END) AS active, COUNT(*) AS total FROM memberships GROUP BY grp', [Math.floor(now / 1000)]),
        pool.query<{ grp: string; n: string; last: string | null }>('SELECT grp, COUNT(*) AS n, MAX(created_at) AS last FROM messages WHERE internal = false GROUP BY grp'),
      ]);
      return mergeGroupStats(members.rows, posts.rows);
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
