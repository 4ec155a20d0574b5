/**
 * The one storage interface behind the API; SQLite and PostgreSQL implement it identically and the
 * same test suite runs on both. Every write is one transaction; a rejected request writes nothing.
 */
import type { Post } from '@veil/crypto';
import type { KeyObservation } from '@veil/crypto/key-observation';
import type { GroupProof } from '@veil/prover/group-bundle';
import type { Bundle } from '../schemas.ts';

export interface MembershipRow {
  epk: string;
  group: string;
  iss: string;
  kid: string;
  /** Unix seconds. */
  expiry: number;
  circuitId: string;
  bundle: Bundle;
  /** ms */
  createdAt: number;
}

/** A stored post: the signed fields (without the wire version) plus what the server adds. */
export interface MessageRow extends Omit<Post, 'v'> {
  /** Insertion order; the feed is ordered by it (newest = largest). */
  seq: number;
  signature: string;
  receivedAt: number;
  likes: number;
}

export interface IssuerKeyRow {
  iss: string;
  kid: string;
  jwk: Record<string, string>;
  firstSeen: number;
  lastSeen: number;
}

/** A key the issuer published under a kid already bound to other key material (never used to verify). */
export interface IssuerKeyConflictRow {
  iss: string;
  kid: string;
  jwk: Record<string, string>;
  firstSeen: number;
  lastSeen: number;
}

export interface ListMessagesQuery {
  group?: string;
  internal: boolean;
  /** Return messages with seq < before. */
  before?: number;
  limit: number;
}

/** One registrar update as the board logged it, with the root it produced. */
export interface GroupLogEntry {
  /** The registrar's sequence number (all groups). */
  seq: number;
  group: string;
  /** Position in this group's log, from 0. */
  pos: number;
  action: 'insert' | 'remove';
  index: number;
  commitment: string;
  /** The group's root after this update. */
  root: string;
  /** ms, signed by the registrar. */
  createdAt: number;
  /** ms: when this board applied it, i.e. when `root` became current. */
  receivedAt: number;
  signature: string;
}

/** A group's current state (derived from its log in the same transaction). */
export interface GroupState {
  group: string;
  /** Leaves ever inserted. */
  size: number;
  /** Leaves not removed: the anonymity set. */
  members: number;
  root: string;
  /** Position of the last log entry. */
  pos: number;
  /** Position of the last removal (roots before it are no longer accepted), or null. */
  lastRemovalPos: number | null;
  updatedAt: number;
}

/** Where a root sits in a group's history. */
export interface RootStatus {
  pos: number;
  becameCurrentAt: number;
  /** When the next root became current; null while it is the current one. */
  supersededAt: number | null;
  lastRemovalPos: number | null;
}

export interface GroupPostRow {
  seq: number;
  id: string;
  group: string;
  text: string;
  createdAt: number;
  proof: GroupProof;
  receivedAt: number;
  likes: number;
}

export interface PollRow {
  id: string;
  group: string;
  question: string;
  options: string[];
  closesAt: number | null;
  allowChange: boolean;
  createdAt: number;
  /** The creator's group proof (scope = the poll id). */
  proof: GroupProof;
  receivedAt: number;
}

export interface VoteRow {
  pollId: string;
  nullifier: string;
  option: number;
  createdAt: number;
  proof: GroupProof;
  receivedAt: number;
}

export interface GroupStatsRow {
  group: string;
  activeKeys: number;
  keys: number;
  publicPosts: number;
  lastPostAt: number | null;
}

export type PutMembershipResult = 'created' | 'unchanged' | 'renewed';

export interface Storage {
  readonly kind: 'sqlite' | 'postgres';
  /** Inserts, or keeps an identical bundle (idempotent), or replaces it by a later expiry in the same group and issuer. Throws ERR_MEMBERSHIP_CONFLICT otherwise. */
  putMembership(m: MembershipRow): Promise<PutMembershipResult>;
  getMembership(epk: string): Promise<MembershipRow | null>;
  /** The group and expiry of a key's membership, without the bundle (the per-request check). */
  getMembershipStatus(epk: string): Promise<{ group: string; expiry: number } | null>;
  /** Throws VeilError ERR_MESSAGE_ID_TAKEN when the id exists. */
  insertMessage(m: Omit<MessageRow, 'seq' | 'likes'>): Promise<MessageRow>;
  getMessage(id: string): Promise<MessageRow | null>;
  listMessages(q: ListMessagesQuery): Promise<MessageRow[]>;
  /**
   * Applies a like/unlike atomically: one row per (message, key), the message's count kept equal to
   * the number of liked rows. Throws ERR_LIKE_REPLAY when `createdAt` is not newer than the key's
   * last action on that message.
   */
  applyLike(a: { messageId: string; epk: string; liked: boolean; createdAt: number }): Promise<{ liked: boolean; likes: number }>;
  /**
   * Records keys seen in an issuer's JWKS: new ones get first_seen = last_seen = now, known ones
   * (same kty, n, e) last_seen = now. A kid is never re-bound: other key material under a known kid
   * is recorded as a conflict (first/last seen) and returned, so the caller can report it.
   */
  recordIssuerKeys(iss: string, keys: Array<{ kid: string; jwk: Record<string, string> }>, now: number): Promise<IssuerKeyConflictRow[]>;
  getIssuerKey(iss: string, kid: string): Promise<IssuerKeyRow | null>;
  listIssuerKeys(iss?: string): Promise<IssuerKeyRow[]>;
  listIssuerKeyConflicts(iss?: string): Promise<IssuerKeyConflictRow[]>;
  /**
   * Stores a checked key observation (lib/key-observations.ts): one per (iss, kid, signer key), a
   * newer `observed_at` replacing an older one. Returns false when an as new or newer one is kept.
   */
  recordKeyObservation(o: KeyObservation): Promise<boolean>;
  /** Stored observations, of one issuer (and kid) or of all, oldest key first. */
  listKeyObservations(iss?: string, kid?: string): Promise<KeyObservation[]>;
  /**
   * Adds one hit to each counter in fixed window `window`, in order, and returns the new counts;
   * after the first counter that goes over its `limit` the rest are not counted (null). One round
   * trip. PostgreSQL: shared by every instance on the database; SQLite: this process only.
   */
  countHits(hits: Array<{ key: string; limit: number }>, window: number): Promise<Array<number | null>>;
  /**
   * Calls `onChange` whenever another instance sharing this database changed a feed (a post or a
   * like). `live()` is false while that signal may be missed (PostgreSQL listener reconnecting);
   * SQLite has no other instances: always live, never called.
   */
  watchFeeds(onChange: () => void): { live(): boolean; close(): void };
  /** The registrar's last applied sequence number (0 before the first). */
  lastGroupSeq(): Promise<number>;
  /** The logged update with this sequence number, if any (the registrar's resend after a crash). */
  getGroupUpdate(seq: number): Promise<GroupLogEntry | null>;
  /**
   * Appends a registrar update and sets the group's state, atomically. Throws
   * ERR_REGISTRAR_SEQUENCE unless `e.seq` is the next sequence number and `e.pos` the group's next position.
   */
  appendGroupUpdate(e: GroupLogEntry, state: { size: number; members: number }): Promise<void>;
  listGroups(): Promise<GroupState[]>;
  getGroup(group: string): Promise<GroupState | null>;
  /** Log entries of a group with pos >= since, in order. */
  listGroupLog(group: string, since: number, limit: number): Promise<GroupLogEntry[]>;
  /** The history of one root of a group (its latest occurrence), or null if it never was one. */
  findGroupRoot(group: string, root: string): Promise<RootStatus | null>;
  /** Throws ERR_MESSAGE_ID_TAKEN when the id exists. */
  insertGroupPost(p: Omit<GroupPostRow, 'seq' | 'likes'>): Promise<GroupPostRow>;
  getGroupPost(id: string): Promise<GroupPostRow | null>;
  listGroupPosts(group: string, before: number | undefined, limit: number): Promise<GroupPostRow[]>;
  /** One like per (post, nullifier); throws ERR_NULLIFIER_USED on a second, ERR_NOT_FOUND without the post. */
  addGroupLike(l: { messageId: string; nullifier: string; createdAt: number; proof: GroupProof; receivedAt: number }): Promise<{ likes: number }>;
  /** Throws ERR_POLL_ID_TAKEN when the id exists. */
  insertPoll(p: PollRow): Promise<void>;
  getPoll(id: string): Promise<PollRow | null>;
  /** A group's polls, newest first (by receipt), each with its number of voters. */
  listPolls(group: string, limit: number): Promise<Array<PollRow & { voters: number }>>;
  /**
   * One vote per (poll, nullifier): a second one throws ERR_NULLIFIER_USED, unless `allowChange`,
   * where a newer vote replaces it ('changed') and an older or equal one throws ERR_VOTE_REPLAY.
   */
  castVote(v: VoteRow, allowChange: boolean): Promise<'created' | 'changed'>;
  listVotes(pollId: string): Promise<VoteRow[]>;
  /** Whether (scope, nullifier) was used: `poll` = a vote in poll `id`, `like` = a like of post `id`. */
  nullifierUsed(kind: 'poll' | 'like', id: string, nullifier: string): Promise<boolean>;
  /** Per group (email domain): keys whose membership is valid at `now`, keys ever registered, public posts and the newest one's time. */
  listGroupStats(now: number): Promise<GroupStatsRow[]>;
  close(): Promise<void>;
}
