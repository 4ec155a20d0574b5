// Static files (web app with SPA fallback, prover artifacts allowlist, byte ranges), COOP/COEP on
// every response, and the dev issuer mounted under /dev-issuer through buildApp.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevIssuer } from '@veil/dev-issuer';
import { buildApp, DEFAULT_RATE_LIMIT, KeyRegistry, openSqliteStorage, type ServerConfig } from '@veil/server';
import { refuseVerify } from './app-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'veil-static-'));
const web = join(dir, 'web');
const art = join(dir, 'artifacts');
mkdirSync(join(web, 'assets'), { recursive: true });
mkdirSync(join(art, 'target'), { recursive: true });
writeFileSync(join(web, 'index.html'), '<!doctype html><title>veil</title>');
writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(art, 'circuits.json'), '{"circuits":[]}');
writeFileSync(join(art, 'target', 'membership.json'), '{}');
writeFileSync(join(art, 'bn254_g1.dat'), Buffer.alloc(256, 7));
writeFileSync(join(art, 'secret.txt'), 'no');
// Verification keys: a current circuit's, a retired circuit's (kept after a circuit change), and
// other files in keys/ that are not keys of that layout.
const CRS = `test-${'3'.repeat(64)}`;
const OLD_ID = 'a'.repeat(64);
mkdirSync(join(art, 'keys'), { recursive: true });
const keyFiles = [`membership.${CRS}.json`, `membership-google.${OLD_ID}.${CRS}.json`, 'group.aztec-ignition.json'];
for (const f of keyFiles) writeFileSync(join(art, 'keys', f), '{}');
const notKeys = ['notes.json', `membership.${CRS}.json.123.tmp`, `membership.${OLD_ID}.json`, `membership.${OLD_ID.slice(1)}.${CRS}.json`, `membership.other-crs.json`, `membership..${CRS}.json`];
for (const f of notKeys) writeFileSync(join(art, 'keys', f), '{}');
const storage = openSqliteStorage({ path: join(dir, 'db.sqlite') });
const config: ServerConfig = {
  profile: 'development', host: '127.0.0.1', port: 8080, dataDir: dir, crs: 'test', issuers: [],
  rateLimit: DEFAULT_RATE_LIMIT, devIssuer: { clientId: 'veil-dev', graceSeconds: 600 }, keyRefreshSeconds: 3600, enclave: { producer: 'none' },
};
const registry = new KeyRegistry({ storage, issuers: [], now: Date.now });
const devIssuer = await createDevIssuer({ issuer: 'http://127.0.0.1:8080/dev-issuer', dataDir: join(dir, 'dev'), redirectUris: ['http://127.0.0.1:8080/callback'] });
const app = await buildApp({ config, storage, registry, verifyMembership: refuseVerify, acceptedCircuits: [], webDist: web, artifactDirs: [art], devIssuer });
const bare = await buildApp({ config, storage, registry, verifyMembership: refuseVerify, acceptedCircuits: [] });
after(async () => { await app.close(); await bare.close(); await storage.close(); });

const isolated = (h: Record<string, unknown>) => h['cross-origin-opener-policy'] === 'same-origin' && h['cross-origin-embedder-policy'] === 'require-corp';

test('web app and SPA fallback, cross-origin isolated', async () => {
  for (const url of ['/', '/callback', '/g/acme/public', '/assets/app.js']) {
    const r = await app.inject({ url });
    assert.equal(r.statusCode, 200, url);
    assert.ok(isolated(r.headers), url);
  }
  assert.match((await app.inject({ url: '/callback' })).body, /<title>veil/);
  assert.equal((await app.inject({ url: '/assets/missing.js' })).statusCode, 404);
  const api404 = await app.inject({ url: '/api/nope' });
  assert.equal(api404.statusCode, 404);
  assert.equal(api404.json().error.code, 'ERR_NOT_FOUND');
});

test('without a built web app, / is a JSON 404 (no crash)', async () => {
  const r = await bare.inject({ url: '/' });
  assert.equal(r.statusCode, 404);
  assert.equal(r.json().error.code, 'ERR_NOT_FOUND');
  assert.ok(isolated(r.headers));
});

test('artifacts: only the allowlisted prover files (current and retired verification keys), with byte ranges', async () => {
  const m = await app.inject({ url: '/artifacts/circuits.json' });
  assert.equal(m.statusCode, 200);
  assert.ok(isolated(m.headers));
  assert.equal((await app.inject({ url: '/artifacts/target/membership.json' })).statusCode, 200);
  const range = await app.inject({ url: '/artifacts/bn254_g1.dat', headers: { range: 'bytes=0-63' } });
  assert.equal(range.statusCode, 206);
  assert.equal(range.rawPayload.length, 64);
  for (const f of keyFiles) assert.equal((await app.inject({ url: `/artifacts/keys/${f}` })).statusCode, 200, f);
  for (const f of notKeys) assert.equal((await app.inject({ url: `/artifacts/keys/${f}` })).statusCode, 404, f);
  for (const url of ['/artifacts/secret.txt', '/artifacts/../package.json', '/artifacts/%2e%2e/secret.txt', '/artifacts/target/../secret.txt', '/artifacts/keys/', '/artifacts/keys', `/artifacts/keys/../secret.txt`, `/artifacts/keys/%2e%2e/${CRS}.json`]) {
    assert.equal((await app.inject({ url })).statusCode, 404, url);
  }
});

test('dev issuer mounted under /dev-issuer; rotation needs the admin token', async () => {
  const d = await app.inject({ url: '/dev-issuer/.well-known/openid-configuration' });
  assert.equal(d.statusCode, 200);
  assert.equal(d.json().issuer, 'http://127.0.0.1:8080/dev-issuer');
  assert.ok(isolated(d.headers));
  assert.equal((await app.inject({ url: '/dev-issuer/jwks' })).json().keys.length, 1);
  assert.equal((await app.inject({ method: 'POST', url: '/dev-issuer/rotate' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'POST', url: '/dev-issuer/rotate', headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
  const ok = await app.inject({ method: 'POST', url: '/dev-issuer/rotate', headers: { authorization: `Bearer ${devIssuer.adminToken}` } });
  assert.equal(ok.statusCode, 200);
  assert.equal((await app.inject({ url: '/dev-issuer/jwks' })).json().keys.length, 2);
});
