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
  close(): Promise<void>;
}
