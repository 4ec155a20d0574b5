// SQLite storage (better-sqlite3): one file, WAL journal, synchronous=NORMAL — a committed
// transaction survives a process crash (SIGKILL); only an OS crash/power loss can drop the last
// commits (set `synchronous: 'FULL'` to close that too). better-sqlite3 is synchronous: every
// method runs its statements inside one transaction without yielding, so writes are serialised.
// Message inserts are group-committed (see below).
import Database from 'better-sqlite3';
import { VeilError } from '@veil/crypto';
import type { KeyObservation } from '@veil/crypto/key-observation';
import { MIGRATIONS } from './migrations.ts';
import { bundleKey } from './bundle-key.ts';
import { mergeGroupStats } from './group-stats.ts';
import type { Bundle } from '../schemas.ts';
import { classifySqliteError, guardDriverErrors } from './driver-errors.ts';
import { sameKeyMaterial } from './same-key-material.ts';
import type {
  GroupLogEntry, GroupPostRow, GroupState, IssuerKeyConflictRow, IssuerKeyRow, ListMessagesQuery, MembershipRow, MessageRow, PollRow, PutMembershipResult, Storage, VoteRow,
} from './types.ts';

interface LogDb { seq: number; grp: string; pos: number; action: 'insert' | 'remove'; leaf_index: number; commitment: string; root: string; created_at: number; received_at: number; signature: string }
interface GroupDb { grp: string; size: number; members: number; root: string; pos: number; last_removal_pos: number | null; updated_at: number }
interface GPostDb { seq: number; id: string; grp: string; text: string; created_at: number; proof: string; received_at: number; likes: number }
interface PollDb { id: string; grp: string; question: string; options: string; closes_at: number | null; allow_change: number; created_at: number; proof: string; received_at: number }
interface VoteDb { poll_id: string; nullifier: string; option: number; created_at: number; proof: string; received_at: number }

const logEntry = (r: LogDb): GroupLogEntry => ({
  seq: r.seq, group: r.grp, pos: r.pos, action: r.action, index: r.leaf_index, commitment: r.commitment, root: r.root,
  createdAt: r.created_at, receivedAt: r.received_at, signature: r.signature,
});
const groupState = (r: GroupDb): GroupState => ({
  group: r.grp, size: r.size, members: r.members, root: r.root, pos: r.pos, lastRemovalPos: r.last_removal_pos, updatedAt: r.updated_at,
});
const gpost = (r: GPostDb): GroupPostRow => ({
  seq: r.seq, id: r.id, group: r.grp, text: r.text, createdAt: r.created_at, proof: JSON.parse(r.proof), receivedAt: r.received_at, likes: r.likes,
});
const poll = (r: PollDb): PollRow => ({
  id: r.id, group: r.grp, question: r.question, options: JSON.parse(r.options), closesAt: r.closes_at, allowChange: r.allow_change === 1,
  createdAt: r.created_at, proof: JSON.parse(r.proof), receivedAt: r.received_at,
});
const vote = (r: VoteDb): VoteRow => ({
  pollId: r.poll_id, nullifier: r.nullifier, option: r.option, createdAt: r.created_at, proof: JSON.parse(r.proof), receivedAt: r.received_at,
});

interface MsgDb { seq: number; id: string; grp: string; internal: number; text: string; created_at: number; epk: string; signature: string; received_at: number; likes: number }
interface MemDb { epk: string; grp: string; iss: string; kid: string; expiry: number; circuit_id: string; bundle: string; created_at: number }
interface KeyDb { iss: string; kid: string; jwk: string; first_seen: number; last_seen: number }

const msg = (r: MsgDb): MessageRow => ({
  seq: r.seq, id: r.id, group: r.grp, internal: r.internal === 1, text: r.text, createdAt: r.created_at,
  epk: r.epk, signature: r.signature, receivedAt: r.received_at, likes: r.likes,
});
const mem = (r: MemDb): MembershipRow => ({
  epk: r.epk, group: r.grp, iss: r.iss, kid: r.kid, expiry: r.expiry, circuitId: r.circuit_id,
  bundle: JSON.parse(r.bundle), createdAt: r.created_at,
});
const key = (r: KeyDb): IssuerKeyRow => ({ iss: r.iss, kid: r.kid, jwk: JSON.parse(r.jwk), firstSeen: r.first_seen, lastSeen: r.last_seen });

export interface SqliteOptions {
  /** File path, or ':memory:'. */
  path: string;
  synchronous?: 'NORMAL' | 'FULL';
}

/**
 * @example
 * import { openSqliteStorage } from '@veil/server';
 * const storage = openSqliteStorage({ path: 'data/veil.sqlite' });
 */
export function openSqliteStorage(opts: SqliteOptions): Storage {
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    })();
  }

  const s = {
    getMem: db.prepare('SELECT * FROM memberships WHERE epk = ?'),
    getMemStatus: db.prepare('SELECT grp, expiry FROM memberships WHERE epk = ?'),
    groupMembers: db.prepare('SELECT grp, SUM(CASE WHEN expiry > ? THEN 1 ELSE 0 END) AS active, COUNT(*) AS total FROM memberships GROUP BY grp'),
    groupPosts: db.prepare('SELECT grp, COUNT(*) AS n, MAX(created_at) AS last FROM messages WHERE internal = 0 GROUP BY grp'),
    insMem: db.prepare('INSERT INTO memberships (epk, grp, iss, kid, expiry, circuit_id, bundle, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    updMem: db.prepare('UPDATE memberships SET kid = ?, expiry = ?, circuit_id = ?, bundle = ?, created_at = ? WHERE epk = ?'),
    insMsg: db.prepare('INSERT INTO messages (id, grp, internal, text, created_at, epk, signature, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING'),
    getMsg: db.prepare('SELECT * FROM messages WHERE id = ?'),
    getMsgBySeq: db.prepare('SELECT * FROM messages WHERE seq = ?'),
    listAll: db.prepare('SELECT * FROM messages WHERE internal = 0 AND seq < ? ORDER BY seq DESC LIMIT ?'),
    listGroup: db.prepare('SELECT * FROM messages WHERE grp = ? AND internal = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
    getLike: db.prepare('SELECT liked, updated_at FROM likes WHERE message_id = ? AND epk = ?'),
    putLike: db.prepare('INSERT INTO likes (message_id, epk, liked, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (message_id, epk) DO UPDATE SET liked = excluded.liked, updated_at = excluded.updated_at'),
    addLikes: db.prepare('UPDATE messages SET likes = likes + ? WHERE id = ? RETURNING likes'),
    getLikes: db.prepare('SELECT likes FROM messages WHERE id = ?'),
    insKey: db.prepare('INSERT INTO issuer_keys (iss, kid, jwk, first_seen, last_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT (iss, kid) DO NOTHING'),
    seenKey: db.prepare('UPDATE issuer_keys SET last_seen = ? WHERE iss = ? AND kid = ?'),
    upConflict: db.prepare('INSERT INTO issuer_key_conflicts (iss, kid, jwk, first_seen, last_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT (iss, kid, jwk) DO UPDATE SET last_seen = excluded.last_seen RETURNING *'),
    listConflicts: db.prepare('SELECT * FROM issuer_key_conflicts ORDER BY iss, kid, first_seen'),
    listConflictsIss: db.prepare('SELECT * FROM issuer_key_conflicts WHERE iss = ? ORDER BY kid, first_seen'),
    getKey: db.prepare('SELECT * FROM issuer_keys WHERE iss = ? AND kid = ?'),
    listKeys: db.prepare('SELECT * FROM issuer_keys ORDER BY iss, first_seen, kid'),
    listKeysIss: db.prepare('SELECT * FROM issuer_keys WHERE iss = ? ORDER BY first_seen, kid'),
    upObservation: db.prepare('INSERT INTO issuer_key_observations (iss, kid, signer, observed_at, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (iss, kid, signer) DO UPDATE SET observed_at = excluded.observed_at, doc = excluded.doc WHERE excluded.observed_at > issuer_key_observations.observed_at'),
    listObservations: db.prepare('SELECT doc FROM issuer_key_observations ORDER BY iss, kid, observed_at, signer'),
    listObservationsIss: db.prepare('SELECT doc FROM issuer_key_observations WHERE iss = ? ORDER BY kid, observed_at, signer'),
    listObservationsKid: db.prepare('SELECT doc FROM issuer_key_observations WHERE iss = ? AND kid = ? ORDER BY observed_at, signer'),
  };

  const g = {
    lastSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM group_log'),
    getGroup: db.prepare('SELECT * FROM groups WHERE grp = ?'),
    listGroups: db.prepare('SELECT * FROM groups ORDER BY grp'),
    insLog: db.prepare('INSERT INTO group_log (seq, grp, pos, action, leaf_index, commitment, root, created_at, received_at, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    upGroup: db.prepare(`INSERT INTO groups (grp, size, members, root, pos, last_removal_pos, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (grp) DO UPDATE SET size = excluded.size, members = excluded.members, root = excluded.root, pos = excluded.pos,
      last_removal_pos = COALESCE(excluded.last_removal_pos, groups.last_removal_pos), updated_at = excluded.updated_at`),
    log: db.prepare('SELECT * FROM group_log WHERE grp = ? AND pos >= ? ORDER BY pos LIMIT ?'),
    bySeq: db.prepare('SELECT * FROM group_log WHERE seq = ?'),
    findRoot: db.prepare('SELECT pos, received_at FROM group_log WHERE grp = ? AND root = ? ORDER BY pos DESC LIMIT 1'),
    nextAt: db.prepare('SELECT received_at FROM group_log WHERE grp = ? AND pos = ?'),
    insPost: db.prepare('INSERT INTO group_posts (id, grp, text, created_at, proof, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING'),
    getPost: db.prepare('SELECT * FROM group_posts WHERE id = ?'),
    listPosts: db.prepare('SELECT * FROM group_posts WHERE grp = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
    insLike: db.prepare('INSERT INTO group_likes (message_id, nullifier, created_at, proof, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    addLike: db.prepare('UPDATE group_posts SET likes = likes + 1 WHERE id = ? RETURNING likes'),
    insPoll: db.prepare('INSERT INTO polls (id, grp, question, options, closes_at, allow_change, created_at, proof, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING'),
    getPoll: db.prepare('SELECT * FROM polls WHERE id = ?'),
    listPolls: db.prepare('SELECT p.*, (SELECT COUNT(*) FROM votes v WHERE v.poll_id = p.id) AS voters FROM polls p WHERE grp = ? ORDER BY received_at DESC, id LIMIT ?'),
    insVote: db.prepare('INSERT INTO votes (poll_id, nullifier, option, created_at, proof, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    getVote: db.prepare('SELECT created_at FROM votes WHERE poll_id = ? AND nullifier = ?'),
    updVote: db.prepare('UPDATE votes SET option = ?, created_at = ?, proof = ?, received_at = ? WHERE poll_id = ? AND nullifier = ?'),
    listVotes: db.prepare('SELECT * FROM votes WHERE poll_id = ? ORDER BY nullifier'),
    usedVote: db.prepare('SELECT 1 FROM votes WHERE poll_id = ? AND nullifier = ?'),
    usedLike: db.prepare('SELECT 1 FROM group_likes WHERE message_id = ? AND nullifier = ?'),
  };

  const appendGroupUpdate = db.transaction((e: GroupLogEntry, st: { size: number; members: number }) => {
    const last = (g.lastSeq.get() as { seq: number }).seq;
    const cur = g.getGroup.get(e.group) as GroupDb | undefined;
    if (e.seq !== last + 1) throw new VeilError('ERR_REGISTRAR_SEQUENCE', `update ${e.seq} is not the next one (${last + 1})`);
    if (e.pos !== (cur ? cur.pos + 1 : 0)) throw new VeilError('ERR_REGISTRAR_SEQUENCE', 'the group log moved on; retry');
    g.insLog.run(e.seq, e.group, e.pos, e.action, e.index, e.commitment, e.root, e.createdAt, e.receivedAt, e.signature);
    g.upGroup.run(e.group, st.size, st.members, e.root, e.pos, e.action === 'remove' ? e.pos : null, e.receivedAt);
  });

  const addGroupLike = db.transaction((l: { messageId: string; nullifier: string; createdAt: number; proof: unknown; receivedAt: number }) => {
    if (!g.getPost.get(l.messageId)) throw new VeilError('ERR_NOT_FOUND', 'no such post');
    if (g.insLike.run(l.messageId, l.nullifier, l.createdAt, JSON.stringify(l.proof), l.receivedAt).changes === 0) {
      throw new VeilError('ERR_NULLIFIER_USED', 'this person already liked this post (nullifier seen in scope like:<post id>)');
    }
    return { likes: (g.addLike.get(l.messageId) as { likes: number }).likes };
  });

  const castVote = db.transaction((v: VoteRow, allowChange: boolean): 'created' | 'changed' => {
    const proof = JSON.stringify(v.proof);
    if (g.insVote.run(v.pollId, v.nullifier, v.option, v.createdAt, proof, v.receivedAt).changes === 1) return 'created';
    if (!allowChange) throw new VeilError('ERR_NULLIFIER_USED', 'this person already voted in this poll, and it does not allow changing a vote');
    const cur = g.getVote.get(v.pollId, v.nullifier) as { created_at: number };
    if (v.createdAt <= cur.created_at) throw new VeilError('ERR_VOTE_REPLAY', 'a newer or identical vote of this person is counted');
    g.updVote.run(v.option, v.createdAt, proof, v.receivedAt, v.pollId, v.nullifier);
    return 'changed';
  });

  const putMembership = db.transaction((m: MembershipRow): PutMembershipResult => {
    const cur = s.getMem.get(m.epk) as MemDb | undefined;
    const bundle = JSON.stringify(m.bundle);
    if (!cur) {
      s.insMem.run(m.epk, m.group, m.iss, m.kid, m.expiry, m.circuitId, bundle, m.createdAt);
      return 'created';
    }
    if (bundleKey(JSON.parse(cur.bundle) as Bundle) === bundleKey(m.bundle)) return 'unchanged';
    if (cur.grp === m.group && cur.iss === m.iss && m.expiry > cur.expiry) {
      s.updMem.run(m.kid, m.expiry, m.circuitId, bundle, m.createdAt, m.epk);
      return 'renewed';
    }
    throw new VeilError('ERR_MEMBERSHIP_CONFLICT', 'this key already holds a different membership');
  });

  const applyLike = db.transaction((a: { messageId: string; epk: string; liked: boolean; createdAt: number }) => {
    if (!s.getLikes.get(a.messageId)) throw new VeilError('ERR_NOT_FOUND', 'no such message');
    const cur = s.getLike.get(a.messageId, a.epk) as { liked: number; updated_at: number } | undefined;
    if (cur && a.createdAt <= cur.updated_at) throw new VeilError('ERR_LIKE_REPLAY', 'a newer or identical like action from this key exists');
    const was = cur?.liked === 1;
    s.putLike.run(a.messageId, a.epk, a.liked ? 1 : 0, a.createdAt);
    const delta = (a.liked ? 1 : 0) - (was ? 1 : 0);
    const likes = delta === 0
      ? (s.getLikes.get(a.messageId) as { likes: number }).likes
      : (s.addLikes.get(delta, a.messageId) as { likes: number }).likes;
    return { liked: a.liked, likes };
  });

  // Group commit: posts arriving in the same event-loop turn are inserted in one transaction, and
  // each caller is answered only after that transaction committed (so every 2xx is durable).
  type Pending = { m: Omit<MessageRow, 'seq' | 'likes'>; resolve: (r: MessageRow) => void; reject: (e: unknown) => void };
  let pending: Pending[] = [];
  const insertBatch = db.transaction((batch: Pending[]) =>
    batch.map(({ m }) => {
      const r = s.insMsg.run(m.id, m.group, m.internal ? 1 : 0, m.text, m.createdAt, m.epk, m.signature, m.receivedAt);
      return r.changes === 0 ? null : Number(r.lastInsertRowid);
    }),
  );
  const flushInserts = () => {
    const batch = pending;
    pending = [];
    let seqs: (number | null)[];
    try {
      seqs = insertBatch(batch);
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => {
      const seq = seqs[i];
      if (seq === null || seq === undefined) p.reject(new VeilError('ERR_MESSAGE_ID_TAKEN', 'a message with this id exists (replay?)'));
      else p.resolve({ ...p.m, seq, likes: 0 });
    });
  };

  const recordKeys = db.transaction((iss: string, keys: Array<{ kid: string; jwk: Record<string, string> }>, now: number) => {
    const conflicts: IssuerKeyConflictRow[] = [];
    for (const k of keys) {
      const jwk = JSON.stringify(k.jwk);
      if (s.insKey.run(iss, k.kid, jwk, now, now).changes === 1) continue;
      const bound = s.getKey.get(iss, k.kid) as KeyDb;
      if (sameKeyMaterial(JSON.parse(bound.jwk), k.jwk)) s.seenKey.run(now, iss, k.kid);
      else conflicts.push(key(s.upConflict.get(iss, k.kid, jwk, now, now) as KeyDb));
    }
    return conflicts;
  });

  // Rate-limit counters: one process owns a SQLite file, so they live in memory.
  let window = -1;
  let counts = new Map<string, number>();

  const storage: Storage = {
    kind: 'sqlite',
    async putMembership(m) { return putMembership(m); },
    async getMembership(epk) {
      const r = s.getMem.get(epk) as MemDb | undefined;
      return r ? mem(r) : null;
    },
    async getMembershipStatus(epk) {
      const r = s.getMemStatus.get(epk) as { grp: string; expiry: number } | undefined;
      return r ? { group: r.grp, expiry: r.expiry } : null;
    },
    insertMessage(m) {
      return new Promise<MessageRow>((resolve, reject) => {
        pending.push({ m, resolve, reject });
        if (pending.length === 1) setImmediate(flushInserts);
      });
    },
    async getMessage(id) {
      const r = s.getMsg.get(id) as MsgDb | undefined;
      return r ? msg(r) : null;
    },
    async listMessages(q: ListMessagesQuery) {
      const before = q.before ?? Number.MAX_SAFE_INTEGER;
      const rows = (q.group === undefined
        ? (q.internal ? [] : s.listAll.all(before, q.limit))
        : s.listGroup.all(q.group, q.internal ? 1 : 0, before, q.limit)) as MsgDb[];
      return rows.map(msg);
    },
    async applyLike(a) { return applyLike(a); },
    async recordIssuerKeys(iss, keys, now) { return recordKeys(iss, keys, now); },
    async getIssuerKey(iss, kid) {
      const r = s.getKey.get(iss, kid) as KeyDb | undefined;
      return r ? key(r) : null;
    },
    async listIssuerKeys(iss) {
      return ((iss === undefined ? s.listKeys.all() : s.listKeysIss.all(iss)) as KeyDb[]).map(key);
    },
    async listIssuerKeyConflicts(iss) {
      return ((iss === undefined ? s.listConflicts.all() : s.listConflictsIss.all(iss)) as KeyDb[]).map(key);
    },
    async recordKeyObservation(o) {
      return s.upObservation.run(o.iss, o.kid, o.signer.publicKey, o.observed_at, JSON.stringify(o)).changes === 1;
    },
    async listKeyObservations(iss, kid) {
      const rows = (iss === undefined ? s.listObservations.all() : kid === undefined ? s.listObservationsIss.all(iss) : s.listObservationsKid.all(iss, kid)) as Array<{ doc: string }>;
      return rows.map((r) => JSON.parse(r.doc) as KeyObservation);
    },
    async countHits(hits, win) {
      if (win !== window) {
        window = win;
        counts = new Map();
      }
      let over = false;
      return hits.map(({ key: k, limit }) => {
        if (over) return null;
        const n = (counts.get(k) ?? 0) + 1;
        counts.set(k, n);
        over = n > limit;
        return n;
      });
    },
    watchFeeds: () => ({ live: () => true, close: () => {} }),
    async lastGroupSeq() { return (g.lastSeq.get() as { seq: number }).seq; },
    async appendGroupUpdate(e, st) { appendGroupUpdate(e, st); },
    async listGroups() { return (g.listGroups.all() as GroupDb[]).map(groupState); },
    async getGroup(group) {
      const r = g.getGroup.get(group) as GroupDb | undefined;
      return r ? groupState(r) : null;
    },
    async listGroupLog(group, since, limit) { return (g.log.all(group, since, limit) as LogDb[]).map(logEntry); },
    async getGroupUpdate(seq) {
      const r = g.bySeq.get(seq) as LogDb | undefined;
      return r ? logEntry(r) : null;
    },
    async findGroupRoot(group, root) {
      const r = g.findRoot.get(group, root) as { pos: number; received_at: number } | undefined;
      if (!r) return null;
      const next = g.nextAt.get(group, r.pos + 1) as { received_at: number } | undefined;
      const st = g.getGroup.get(group) as GroupDb;
      return { pos: r.pos, becameCurrentAt: r.received_at, supersededAt: next?.received_at ?? null, lastRemovalPos: st.last_removal_pos };
    },
    async insertGroupPost(p) {
      const r = g.insPost.run(p.id, p.group, p.text, p.createdAt, JSON.stringify(p.proof), p.receivedAt);
      if (r.changes === 0) throw new VeilError('ERR_MESSAGE_ID_TAKEN', 'a post with this id exists (replay?)');
      return { ...p, seq: Number(r.lastInsertRowid), likes: 0 };
    },
    async getGroupPost(id) {
      const r = g.getPost.get(id) as GPostDb | undefined;
      return r ? gpost(r) : null;
    },
    async listGroupPosts(group, before, limit) {
      return (g.listPosts.all(group, before ?? Number.MAX_SAFE_INTEGER, limit) as GPostDb[]).map(gpost);
    },
    async addGroupLike(l) { return addGroupLike(l); },
    async insertPoll(p) {
      const r = g.insPoll.run(p.id, p.group, p.question, JSON.stringify(p.options), p.closesAt, p.allowChange ? 1 : 0, p.createdAt, JSON.stringify(p.proof), p.receivedAt);
      if (r.changes === 0) throw new VeilError('ERR_POLL_ID_TAKEN', 'a poll with this id exists (replay?)');
    },
    async getPoll(id) {
      const r = g.getPoll.get(id) as PollDb | undefined;
      return r ? poll(r) : null;
    },
    async listPolls(group, limit) {
      return (g.listPolls.all(group, limit) as Array<PollDb & { voters: number }>).map((r) => ({ ...poll(r), voters: Number(r.voters) }));
    },
    async castVote(v, allowChange) { return castVote(v, allowChange); },
    async listVotes(pollId) { return (g.listVotes.all(pollId) as VoteDb[]).map(vote); },
    async nullifierUsed(kind, id, nullifier) { return (kind === 'poll' ? g.usedVote : g.usedLike).get(id, nullifier) !== undefined; },
    async listGroupStats(now) {
      return mergeGroupStats(
        s.groupMembers.all(Math.floor(now / 1000)) as Array<{ grp: string; active: number; total: number }>,
        s.groupPosts.all() as Array<{ grp: string; n: number; last: number | null }>,
      );
    },
    async close() { db.close(); },
  };
  return guardDriverErrors(storage, classifySqliteError);
}
