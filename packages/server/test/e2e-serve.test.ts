// End to end over real HTTP against `veil serve` (development profile) as a child process:
// sign in at the dev issuer (authorization request with nonce → login page → ID token from the
// redirect fragment), prove membership, `veil join`, `veil post` (public and members-only),
// `veil read`, `veil like`, `veil verify-message`; then rotate the issuer key, wait until the old key
// has left the issuer's JWKS, and verify the old post again: only the server vouches for the old
// key now (ERR_KEY_UNVERIFIED), unless the user pinned the issuer's old key set or trusts the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { decodeProtectedHeader } from 'jose';
import { bytesToHex, generateEphemeralKey, nonce } from '@veil/crypto';
import { prove } from '@veil/prover';
import { signInWithDevIssuer } from '@veil/dev-issuer';
import { freePort } from '@veil/server';
import type { ConfigResponse, KeysResponse } from '@veil/server/schemas';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const VEIL = join(REPO, 'packages/cli/bin/veil.mjs');
const dir = mkdtempSync(join(tmpdir(), 'veil-e2e-serve-'));
const dataDir = join(dir, 'data');
let child: ChildProcess;
let url = '';
let logs = '';

function veil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VEIL, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
const getJson = async <T>(path: string): Promise<T> => (await (await fetch(`${url}${path}`)).json()) as T;

before(async () => {
  const port = await freePort();
  const cfg = join(dir, 'veil.json');
  // Short grace so that the rotated-away key really leaves the issuer's JWKS during the test.
  writeFileSync(cfg, JSON.stringify({ devIssuer: { graceSeconds: 3 }, keyRefreshSeconds: 1 }));
  child = spawn(process.execPath, [VEIL, 'serve', '--port', String(port), '--data', dataDir, '--config', cfg], {
    cwd: REPO, env: { ...process.env, PORT: '', VEIL_CONFIG: '', DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (logs += d));
  child.stderr!.on('data', (d) => (logs += d));
  url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`veil serve exited ${child.exitCode}:\n${logs}`);
    try {
      if ((await fetch(`${url}/api/config`)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`veil serve did not start:\n${logs}`);
    await new Promise((r) => setTimeout(r, 300));
  }
});

after(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => { const t = setTimeout(() => { child.kill('SIGKILL'); r(null); }, 10_000); child.once('exit', () => { clearTimeout(t); r(null); }); });
  }
});

test('sign in at the dev issuer, prove, join, post, read, like, rotate, verify the old post', { timeout: 600_000 }, async () => {
  const config = await getJson<ConfigResponse>('/api/config');
  assert.equal(config.profile, 'development');
  assert.equal(config.crs.kind, 'test');
  assert.match(logs, /DEVELOPMENT profile/);
  const dev = config.issuers.find((i) => i.kind === 'dev')!;
  assert.equal(dev.iss, `${url}/dev-issuer`);

  // 0. the dev registry (data provider) runs beside the board, its CA in <data>/dev-registry
  assert.match(config.devRegistry?.url ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(config.devRegistry?.caPem, readFileSync(join(dataDir, 'dev-registry', 'ca.pem'), 'utf8'));
  const credential = await veil('identity', 'dev-credential', '--server', url, '--person', 'zoe');
  assert.equal(credential.code, 0, credential.stderr);
  assert.match(credential.stdout.trim(), /^[A-Za-z0-9_-]{43}$/);

  // 1. the browser flow over HTTP: nonce binds the ephemeral key, salt and expiry
  const eph = generateEphemeralKey();
  const salt = randomBytes(16);
  const expiry = Math.floor(Date.now() / 1000) + 3 * 86400;
  const n = await nonce(eph.publicKey, salt, expiry);
  const token = await signInWithDevIssuer({ authorizationEndpoint: dev.authorizationEndpoint!, clientId: dev.aud, redirectUri: `${url}/callback`, nonce: n, account: 'dev-alice' });
  const kid1 = decodeProtectedHeader(token).kid!;
  const disc = await (await fetch(`${dev.iss}/.well-known/openid-configuration`)).json() as { jwks_uri: string };
  const jwks = await (await fetch(disc.jwks_uri)).json() as { keys: JsonWebKey[] & { kid?: string }[] };
  const jwk = (jwks.keys as Array<JsonWebKey & { kid?: string }>).find((k) => k.kid === kid1)!;

  // 2. prove (in this process, as the browser would) and join with the CLI
  const bundle = await prove({ token, jwk, epk: eph.publicKey, salt, expiry }, { crs: 'test' });
  assert.equal(bundle.claims.domain, 'acme.test');
  const bundleFile = join(dir, 'bundle.json');
  writeFileSync(bundleFile, JSON.stringify(bundle));
  const keyFile = join(dir, 'key.json');
  writeFileSync(keyFile, JSON.stringify({ secretKey: bytesToHex(eph.secretKey), publicKey: bytesToHex(eph.publicKey) }));
  const joined = await veil('join', '--server', url, '--bundle', bundleFile);
  assert.equal(joined.code, 0, joined.stderr);
  assert.equal(JSON.parse(joined.stdout).group, 'acme.test');
  const again = await veil('join', '--server', url, '--bundle', bundleFile); // idempotent
  assert.equal(again.code, 0, again.stderr);

  // 3. post publicly and to the members-only board, read, like
  const p1 = await veil('post', '--server', url, '--key', keyFile, '--group', 'acme.test', '--text', 'hello from e2e');
  assert.equal(p1.code, 0, p1.stderr);
  const id = p1.stdout.trim();
  const p2 = await veil('post', '--server', url, '--key', keyFile, '--group', 'acme.test', '--internal', '--text', 'acme only');
  assert.equal(p2.code, 0, p2.stderr);
  const iid = p2.stdout.trim();
  const pub = JSON.parse((await veil('read', '--server', url)).stdout) as { messages: { message: { id: string } }[] };
  assert.ok(pub.messages.some((m) => m.message.id === id));
  assert.ok(!pub.messages.some((m) => m.message.id === iid));
  const board = await veil('read', '--server', url, '--group', 'acme.test', '--internal', '--key', keyFile);
  assert.equal(board.code, 0, board.stderr);
  assert.ok((JSON.parse(board.stdout) as typeof pub).messages.some((m) => m.message.id === iid));
  const liked = await veil('like', '--server', url, '--key', keyFile, id);
  assert.equal(JSON.parse(liked.stdout).likes, 1);

  // 4. verify locally: signature, proof, registry key = issuer key
  const v1 = await veil('verify-message', '--server', url, id);
  assert.equal(v1.code, 0, v1.stderr);
  assert.equal(JSON.parse(v1.stdout).issuerKey, 'key published by the issuer');
  assert.equal(JSON.parse(v1.stdout).keySource, 'issuer'); // the dev issuer is on this server: its URL is the issuer
  const vi = await veil('verify-message', '--server', url, '--key', keyFile, iid);
  assert.equal(vi.code, 0, vi.stderr);
  const hidden = await veil('verify-message', '--server', url, iid);
  assert.equal(hidden.code, 1);
  // a post altered in the server's database no longer verifies
  const p3 = await veil('post', '--server', url, '--key', keyFile, '--group', 'acme.test', '--text', 'original text');
  const tid = p3.stdout.trim();
  const db = new Database(join(dataDir, 'veil.sqlite'));
  try {
    assert.equal(db.prepare('UPDATE messages SET text = ? WHERE id = ?').run('altered text', tid).changes, 1);
  } finally {
    db.close();
  }
  const tampered = await veil('verify-message', '--server', url, tid);
  assert.equal(tampered.code, 1);
  assert.match(tampered.stderr, /ERR_SIGNATURE_INVALID/);

  // 5. rotate the issuer key; the old key leaves the issuer's JWKS after the grace period
  const admin = (JSON.parse(readFileSync(join(dataDir, 'dev-issuer', 'keys.json'), 'utf8')) as { adminToken: string }).adminToken;
  assert.equal((await fetch(`${url}/dev-issuer/rotate`, { method: 'POST' })).status, 401);
  const rot = await fetch(`${url}/dev-issuer/rotate`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
  assert.equal(rot.status, 200);
  const kid2 = ((await rot.json()) as { kid: string }).kid;
  assert.notEqual(kid2, kid1);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const live = await (await fetch(disc.jwks_uri)).json() as { keys: { kid: string }[] };
    const reg = await getJson<KeysResponse>(`/api/keys?iss=${encodeURIComponent(dev.iss)}`);
    if (!live.keys.some((k) => k.kid === kid1) && reg.keys.some((k) => k.kid === kid2)) break;
    if (Date.now() > deadline) throw new Error('rotation did not propagate');
    await new Promise((r) => setTimeout(r, 500));
  }
  const reg = await getJson<KeysResponse>('/api/keys');
  assert.ok(reg.keys.some((k) => k.kid === kid1), 'the old key stays in the registry');

  // 6. the old key is now vouched for only by the server (issue 8): not valid by default; valid
  //    with the key set the user saved from the issuer before, or on the server's word when asked
  const v2 = await veil('verify-message', '--server', url, id);
  assert.equal(v2.code, 1, v2.stdout);
  assert.match(v2.stderr, /ERR_KEY_UNVERIFIED/);
  assert.equal(v2.stdout, '');
  const pinned = join(dir, 'pinned-jwks.json');
  writeFileSync(pinned, JSON.stringify(jwks));
  const v3 = await veil('verify-message', '--server', url, '--jwks', pinned, id);
  assert.equal(v3.code, 0, v3.stderr);
  assert.equal(JSON.parse(v3.stdout).keySource, 'pinned');
  const v4 = await veil('verify-message', '--server', url, '--trust-server-keys', id);
  assert.equal(v4.code, 0, v4.stderr);
  assert.equal(JSON.parse(v4.stdout).keySource, 'server');
  assert.match(v4.stderr, /warning: key vouched for only by the server/);

  // 7. a new token is signed with the new key
  const token2 = await signInWithDevIssuer({ authorizationEndpoint: dev.authorizationEndpoint!, clientId: dev.aud, redirectUri: `${url}/callback`, nonce: n, account: 'dev-bob' });
  assert.equal(decodeProtectedHeader(token2).kid, kid2);
});
