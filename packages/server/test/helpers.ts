// Test fixtures for the server: a storage on SQLite (default pass) or PostgreSQL (VEIL_TEST_PG,
// a fresh schema per call), an RSA issuer whose JWKS the registry reads from a file, keys, and
// request builders that sign exactly as clients do.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeLike, encodePost, encodeRequest, generateMessageId, signPayload, type Like, type Post } from '@veil/crypto';
import { openPostgresStorage, openSqliteStorage, type Storage } from '@veil/server';

export const usePg = !!process.env.VEIL_TEST_PG;

export async function makeStorage(): Promise<Storage> {
  if (usePg) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('VEIL_TEST_PG needs DATABASE_URL');
    return openPostgresStorage({ connectionString: url, schema: `veil_t_${randomBytes(6).toString('hex')}`, dropSchemaOnClose: true });
  }
  const dir = mkdtempSync(join(tmpdir(), 'veil-store-'));
  return openSqliteStorage({ path: join(dir, 'veil.sqlite') });
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

export function signedHeaders(key: TestKey, method: string, url: string, timestamp: number): Record<string, string> {
  const q = url.indexOf('?');
  const payload = encodeRequest({ method, path: q === -1 ? url : url.slice(0, q), query: q === -1 ? '' : url.slice(q + 1), timestamp, epk: key.publicKey });
  return { 'x-veil-epk': key.publicKey, 'x-veil-timestamp': String(timestamp), 'x-veil-signature': signPayload(payload, key.secretKey) };
}
