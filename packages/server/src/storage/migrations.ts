/**
 * Numbered schema migrations, one SQL text per dialect. Applied in order inside a transaction;
 * `schema_migrations` records the applied versions. Never edit a shipped migration: add one.
 */
export interface Migration {
  version: number;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sqlite: `
      CREATE TABLE memberships (
        epk TEXT PRIMARY KEY, grp TEXT NOT NULL, iss TEXT NOT NULL, kid TEXT NOT NULL,
        expiry INTEGER NOT NULL, circuit_id TEXT NOT NULL, bundle TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, grp TEXT NOT NULL,
        internal INTEGER NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL, epk TEXT NOT NULL,
        signature TEXT NOT NULL, received_at INTEGER NOT NULL, likes INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX messages_public ON messages (internal, seq);
      CREATE INDEX messages_group ON messages (grp, internal, seq);
      CREATE TABLE likes (
        message_id TEXT NOT NULL, epk TEXT NOT NULL, liked INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, epk));
      CREATE TABLE issuer_keys (
        iss TEXT NOT NULL, kid TEXT NOT NULL, jwk TEXT NOT NULL, first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL, PRIMARY KEY (iss, kid));`,
    postgres: `
      CREATE TABLE memberships (
        epk TEXT PRIMARY KEY, grp TEXT NOT NULL, iss TEXT NOT NULL, kid TEXT NOT NULL,
        expiry BIGINT NOT NULL, circuit_id TEXT NOT NULL, bundle TEXT NOT NULL, created_at BIGINT NOT NULL);
      CREATE TABLE messages (
        seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, grp TEXT NOT NULL,
        internal BOOLEAN NOT NULL, text TEXT NOT NULL, created_at BIGINT NOT NULL, epk TEXT NOT NULL,
        signature TEXT NOT NULL, received_at BIGINT NOT NULL, likes INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX messages_public ON messages (internal, seq);
      CREATE INDEX messages_group ON messages (grp, internal, seq);
      CREATE TABLE likes (
        message_id TEXT NOT NULL, epk TEXT NOT NULL, liked BOOLEAN NOT NULL, updated_at BIGINT NOT NULL,
        PRIMARY KEY (message_id, epk));
      CREATE TABLE issuer_keys (
        iss TEXT NOT NULL, kid TEXT NOT NULL, jwk TEXT NOT NULL, first_seen BIGINT NOT NULL,
        last_seen BIGINT NOT NULL, PRIMARY KEY (iss, kid));`,
  },
  {
    // Group trees (issue 9): the registrar's signed updates are the leaf log (seq = the registrar's
    // sequence number, pos = position in the group's log); `groups` is the current state derived
    // from it in the same transaction. Actions by group proof: the (scope, nullifier) uniqueness is
    // the primary key of votes and group_likes (scope poll:<id> / like:<id>); posts and polls are
    // unique by id (their scope). Nothing here names a commitment next to an action.
    version: 2,
    sqlite: `
      CREATE TABLE group_log (
        seq INTEGER PRIMARY KEY, grp TEXT NOT NULL, pos INTEGER NOT NULL, action TEXT NOT NULL,
        leaf_index INTEGER NOT NULL, commitment TEXT NOT NULL, root TEXT NOT NULL, created_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL, signature TEXT NOT NULL, UNIQUE (grp, pos));
      CREATE INDEX group_log_root ON group_log (grp, root);
      CREATE TABLE groups (
        grp TEXT PRIMARY KEY, size INTEGER NOT NULL, members INTEGER NOT NULL, root TEXT NOT NULL,
        pos INTEGER NOT NULL, last_removal_pos INTEGER, updated_at INTEGER NOT NULL);
      CREATE TABLE group_posts (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, grp TEXT NOT NULL, text TEXT NOT NULL,
        created_at INTEGER NOT NULL, proof TEXT NOT NULL, received_at INTEGER NOT NULL, likes INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX group_posts_grp ON group_posts (grp, seq);
      CREATE TABLE group_likes (
        message_id TEXT NOT NULL, nullifier TEXT NOT NULL, created_at INTEGER NOT NULL, proof TEXT NOT NULL,
        received_at INTEGER NOT NULL, PRIMARY KEY (message_id, nullifier));
      CREATE TABLE polls (
        id TEXT PRIMARY KEY, grp TEXT NOT NULL, question TEXT NOT NULL, options TEXT NOT NULL, closes_at INTEGER,
        allow_change INTEGER NOT NULL, created_at INTEGER NOT NULL, proof TEXT NOT NULL, received_at INTEGER NOT NULL);
      CREATE TABLE votes (
        poll_id TEXT NOT NULL, nullifier TEXT NOT NULL, option INTEGER NOT NULL, created_at INTEGER NOT NULL,
        proof TEXT NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (poll_id, nullifier));`,
    postgres: `
      CREATE TABLE group_log (
        seq BIGINT PRIMARY KEY, grp TEXT NOT NULL, pos INTEGER NOT NULL, action TEXT NOT NULL,
        leaf_index BIGINT NOT NULL, commitment TEXT NOT NULL, root TEXT NOT NULL, created_at BIGINT NOT NULL,
        received_at BIGINT NOT NULL, signature TEXT NOT NULL, UNIQUE (grp, pos));
      CREATE INDEX group_log_root ON group_log (grp, root);
      CREATE TABLE groups (
        grp TEXT PRIMARY KEY, size BIGINT NOT NULL, members BIGINT NOT NULL, root TEXT NOT NULL,
        pos INTEGER NOT NULL, last_removal_pos INTEGER, updated_at BIGINT NOT NULL);
      CREATE TABLE group_posts (
        seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, grp TEXT NOT NULL, text TEXT NOT NULL,
        created_at BIGINT NOT NULL, proof TEXT NOT NULL, received_at BIGINT NOT NULL, likes INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX group_posts_grp ON group_posts (grp, seq);
      CREATE TABLE group_likes (
        message_id TEXT NOT NULL, nullifier TEXT NOT NULL, created_at BIGINT NOT NULL, proof TEXT NOT NULL,
        received_at BIGINT NOT NULL, PRIMARY KEY (message_id, nullifier));
      CREATE TABLE polls (
        id TEXT PRIMARY KEY, grp TEXT NOT NULL, question TEXT NOT NULL, options TEXT NOT NULL, closes_at BIGINT,
        allow_change BOOLEAN NOT NULL, created_at BIGINT NOT NULL, proof TEXT NOT NULL, received_at BIGINT NOT NULL);
      CREATE TABLE votes (
        poll_id TEXT NOT NULL, nullifier TEXT NOT NULL, option INTEGER NOT NULL, created_at BIGINT NOT NULL,
        proof TEXT NOT NULL, received_at BIGINT NOT NULL, PRIMARY KEY (poll_id, nullifier));`,
  },
  {
    // A kid the issuer re-published with different key material (the first binding is kept; the
    // conflict is shown in /api/keys). Rate-limit counters shared by every instance on one
    // PostgreSQL (UNLOGGED: no WAL, so counting costs no disk flush; a crash only resets them).
    version: 3,
    sqlite: `
      CREATE TABLE issuer_key_conflicts (
        iss TEXT NOT NULL, kid TEXT NOT NULL, jwk TEXT NOT NULL, first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL, PRIMARY KEY (iss, kid, jwk));`,
    postgres: `
      CREATE TABLE issuer_key_conflicts (
        iss TEXT NOT NULL, kid TEXT NOT NULL, jwk TEXT NOT NULL, first_seen BIGINT NOT NULL,
        last_seen BIGINT NOT NULL, PRIMARY KEY (iss, kid, jwk));
      CREATE UNLOGGED TABLE rate_counts (
        key TEXT NOT NULL, win BIGINT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (key, win));`,
  },
  {
    // A group page lists the group's polls, newest first.
    version: 4,
    sqlite: `CREATE INDEX polls_grp ON polls (grp, received_at);`,
    postgres: `CREATE INDEX polls_grp ON polls (grp, received_at);`,
  },
  {
    // Notarised observations of issuer keys (lib/key-observations.ts): the newest one per key and
    // observer (signer key), kept for good like the keys themselves.
    version: 5,
    sqlite: `
      CREATE TABLE issuer_key_observations (
        iss TEXT NOT NULL, kid TEXT NOT NULL, signer TEXT NOT NULL, observed_at INTEGER NOT NULL,
        doc TEXT NOT NULL, PRIMARY KEY (iss, kid, signer));`,
    postgres: `
      CREATE TABLE issuer_key_observations (
        iss TEXT NOT NULL, kid TEXT NOT NULL, signer TEXT NOT NULL, observed_at BIGINT NOT NULL,
        doc TEXT NOT NULL, PRIMARY KEY (iss, kid, signer));`,
  },
];
