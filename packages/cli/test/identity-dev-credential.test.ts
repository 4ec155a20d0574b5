// `veil identity dev-credential` against a real board app (buildApp, listening) that advertises a
// real dev registry in /api/config: the printed credential opens the person's record at the
// registry; --list prints the people; unknown people, missing registries and bad usage fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_PEOPLE, startDevRegistry, type DevRegistry } from '@veil/dev-registry';
import { buildApp, DEFAULT_RATE_LIMIT, KeyRegistry, loadConfig, openSqliteStorage, type ServerConfig, type Storage } from '@veil/server';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const VEIL = join(REPO, 'packages/cli/bin/veil.mjs');
const dir = mkdtempSync(join(tmpdir(), 'veil-cli-identity-'));
let registry: DevRegistry;
const boards: Array<{ url: string; close(): Promise<void> }> = [];
let storage: Storage;

function veil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VEIL, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function board(devRegistry: DevRegistry | undefined): Promise<string> {
  const config: ServerConfig = { ...loadConfig({ env: {}, dataDir: dir }), issuers: [], rateLimit: DEFAULT_RATE_LIMIT, enclave: { producer: 'none' } };
  const app = await buildApp({
    config, storage, registry: new KeyRegistry({ storage, issuers: [], now: Date.now }),
    verifyMembership: async () => { throw new Error('not used'); }, acceptedCircuits: [],
    ...(devRegistry ? { devRegistry: { name: devRegistry.provider.name, url: devRegistry.url, caPem: devRegistry.caPem } } : {}),
    logger: false,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  boards.push({ url, close: () => app.close() });
  return url;
}

function me(credential: string): Promise<{ status: number; body: { person?: { id: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request(`${registry.url}/api/v1/me`, { ca: registry.caPem, headers: { authorization: `Bearer ${credential}` } }, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(t) }));
    });
    req.on('error', reject);
    req.end();
  });
}

let withRegistry = '';
let without = '';
before(async () => {
  storage = openSqliteStorage({ path: join(dir, 'veil.sqlite') });
  registry = await startDevRegistry({ dataDir: join(dir, 'dev-registry') });
  withRegistry = await board(registry);
  without = await board(undefined);
});
after(async () => {
  for (const b of boards) await b.close();
  await registry.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

test('--person prints a credential that opens that person’s record; --list prints {id,name}', async () => {
  const r = await veil('identity', 'dev-credential', '--server', withRegistry, '--person', 'juergen');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /DEVELOPMENT/);
  const credential = r.stdout.trim();
  assert.match(credential, /^[A-Za-z0-9_-]{43}$/);
  const got = await me(credential);
  assert.equal(got.status, 200);
  assert.equal(got.body.person?.id, 'juergen');

  const list = await veil('identity', 'dev-credential', '--server', withRegistry, '--list');
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout), DEV_PEOPLE.map((p) => ({ id: p.id, name: p.name })));
});

test('unknown person and a server without a dev registry exit 1; bad usage exits 2', async () => {
  const unknown = await veil('identity', 'dev-credential', '--server', withRegistry, '--person', 'nobody');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /ERR_PERSON_UNKNOWN/);
  const none = await veil('identity', 'dev-credential', '--server', without, '--list');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /ERR_DEV_REGISTRY_UNAVAILABLE/);
  for (const args of [['--server', withRegistry, '--list', '--person', 'zoe'], ['--server', 'ftp://x', '--list']]) {
    const r = await veil('identity', 'dev-credential', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});
