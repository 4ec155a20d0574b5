// Test fixtures for the server: a storage on SQLite (default pass) or PostgreSQL (VEIL_TEST_PG,
// a fresh schema per call), an RSA issuer whose JWKS the registry reads from a file, keys, and
// request builders that sign exactly as clients do.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeLike, encodePost, encodeRequest, generateMessageId, signPayload, type Like, type Post } from '@veil/crypto';
import { openPostgresStorage, openSqliteStorage, type Storage } from '@veil/server';

export const usePg = !!process.env.VEIL_TEST_PG;

const locations = new WeakMap<Storage, { sqlite: string } | { pg: string; schema: string }>();

/** A fresh storage; `schema` shares an existing PostgreSQL schema (a second instance on one database). */
export async function makeStorage(o: { schema?: string } = {}): Promise<Storage> {
  if (usePg) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('VEIL_TEST_PG needs DATABASE_URL');
    const schema = o.schema ?? `veil_t_${randomBytes(6).toString('hex')}`;
    const s = await openPostgresStorage({ connectionString: url, schema, dropSchemaOnClose: o.schema === undefined });
    locations.set(s, { pg: url, schema });
    return s;
  }
  const dir = mkdtempSync(join(tmpdir(), 'veil-store-'));
  const path = join(dir, 'veil.sqlite');
  const s = openSqliteStorage({ path });
  locations.set(s, { sqlite: path });
  return s;
}

/** The PostgreSQL schema of a storage made by makeStorage (to open a second instance on it). */
export function schemaOf(s: Storage): string {
  const l = locations.get(s);
  if (!l || !('pg' in l)) throw new Error('not a PostgreSQL storage from makeStorage');
  return l.schema;
}

/** Runs SQL on the database behind `s` over a separate connection, as another process would. */
export async function rawQuery(s: Storage, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const l = locations.get(s);
  if (!l) throw new Error('not a storage from makeStorage');
  if ('sqlite' in l) {
    const db = new Database(l.sqlite);
    try {
      const st = db.prepare(sql);
      return st.reader ? (st.all(...params) as Record<string, unknown>[]) : (st.run(...params), []);
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: l.pg, options: `-c search_path=${l.schema}` });
  await c.connect();
  try {
    let i = 0;
    return (await c.query(sql.replace(/\?/g, () => `$${++i}`), params)).rows;
  } finally {
    await c.end();
  }
}

/**
 * Resolves at the next feed-change notice the storage hears (PostgreSQL NOTIFY, sent after a write
 * without being awaited by it); SQLite has no such notices: resolved at once. Call before the write.
 */
export function nextFeedChange(s: Storage): Promise<void> {
  if (s.kind === 'sqlite') return Promise.resolve();
  return new Promise((resolve) => {
    const w = s.watchFeeds(() => {
      w.close();
      resolve();
    });
  });
}

/** Rows per table: what a refused request must leave unchanged. */
export async function rowCounts(s: Storage): Promise<Record<string, number>> {
  const tables = ['memberships', 'messages', 'likes', 'issuer_keys', 'issuer_key_conflicts', 'issuer_key_observations'];
  const [row] = await rawQuery(s, `SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`);
  return Object.fromEntries(tables.map((t) => [t, Number(row![t])]));
}

export interface TestKey { secretKey: string; publicKey: string }
export function newKey(): TestKey {
  const sk = ed25519.utils.randomSecretKey();
  return { secretKey: bytesToHex(sk), publicKey: bytesToHex(ed25519.getPublicKey(sk)) };
}

/** An RS256 issuer whose public JWKS lives in a file the registry reads; `rotate()` replaces it. */
export function fileIssuer(iss = 'https://issuer.test', aud = 'veil-test') {
  const dir = mkdtempSync(join(tmpdir(), 'veil-jwks-'));
  const file = join(dir, 'jwks.json');
  const mk = (kid: string) => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const j = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    return { kty: 'RSA', kid, n: j.n, e: j.e, alg: 'RS256', use: 'sig' };
  };
  let keys = [mk('k1')];
  const write = () => writeFileSync(file, JSON.stringify({ keys }));
  write();
  return {
    iss, aud, file,
    get keys() { return keys; },
    publish(kids: string[]) { keys = kids.map(mk); write(); },
    set(next: typeof keys) { keys = next; write(); },
    mk,
  };
}

export function signedPost(key: TestKey, over: Partial<Post> & { group: string }, now: number): { message: Post; signature: string } {
  const message: Post = { v: 1, id: generateMessageId(), internal: false, text: 'hello', createdAt: now, epk: key.publicKey, ...over };
  return { message, signature: signPayload(encodePost(message), key.secretKey) };
}

export function signedLike(key: TestKey, messageId: string, action: 'like' | 'unlike', createdAt: number): { like: Like; signature: string } {
  const like: Like = { v: 1, messageId, action, createdAt, epk: key.publicKey };
  return { like, signature: signPayload(encodeLike(like), key.secretKey) };
}

/** The origin the app fixture's server answers as (its `origins`). */
export const BOARD_ORIGIN = 'http://board.test';

export function signedHeaders(key: TestKey, method: string, url: string, timestamp: number, origin = BOARD_ORIGIN): Record<string, string> {
  const q = url.indexOf('?');
  const payload = encodeRequest({ method, origin, path: q === -1 ? url : url.slice(0, q), query: q === -1 ? '' : url.slice(q + 1), timestamp, epk: key.publicKey });
  return { 'x-veil-epk': key.publicKey, 'x-veil-timestamp': String(timestamp), 'x-veil-signature': signPayload(payload, key.secretKey) };
}
