/**
 * The one storage interface behind the API; SQLite and PostgreSQL implement it identically and the
 * same test suite runs on both. Every write is one transaction; a rejected request writes nothing.
 */
import type { Post } from '@veil/crypto';
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

export interface ListMessagesQuery {
  group?: string;
  internal: boolean;
  /** Return messages with seq < before. */
  before?: number;
  limit: number;
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
   * last_seen = now. A kid is never re-bound: a different key under a known kid is ignored.
   */
  recordIssuerKeys(iss: string, keys: Array<{ kid: string; jwk: Record<string, string> }>, now: number): Promise<void>;
  getIssuerKey(iss: string, kid: string): Promise<IssuerKeyRow | null>;
  listIssuerKeys(iss?: string): Promise<IssuerKeyRow[]>;
  /** Per group (email domain): keys whose membership is valid at `now`, keys ever registered, public posts and the newest one's time. */
  listGroupStats(now: number): Promise<GroupStatsRow[]>;
  close(): Promise<void>;
}
