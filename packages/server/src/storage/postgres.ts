// PostgreSQL storage (node-postgres pool). Writes run in one transaction each; likes lock the
// message row (SELECT … FOR UPDATE) so concurrent likes on one post serialise and the count stays
// equal to the number of liked rows. `schema` isolates a deployment (or a test file) in its own
// PostgreSQL schema; it is created if missing and set as the search_path of every connection.
import pg from 'pg';
import { VeilError } from '@veil/crypto';
import { MIGRATIONS } from './migrations.ts';
import { bundleKey } from './bundle-key.ts';
import { mergeGroupStats } from './group-stats.ts';
import type { Bundle } from '../schemas.ts';
import type { GroupLogEntry, GroupPostRow, GroupState, IssuerKeyRow, MembershipRow, MessageRow, PollRow, PutMembershipResult, Storage, VoteRow } from './types.ts';

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
      if (opts.dropSchemaOnClose && schema !== 'public') await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}
