// `veil serve` refuses development components in the production profile before starting anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VEIL = fileURLToPath(new URL('../bin/veil.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'veil-serve-cfg-'));

function serve(config: unknown, ...args: string[]): Promise<{ code: number; stderr: string }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  return new Promise((resolve) => {
    execFile(process.execPath, [VEIL, 'serve', '--config', file, '--data', join(dir, 'data'), ...args], { timeout: 60_000, env: { ...process.env, PORT: '', VEIL_CONFIG: '', DATABASE_URL: '' } }, (err, _out, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

test('production profile: dev issuer, test CRS and simulated attestation are startup errors', async () => {
  const google = { kind: 'google', aud: 'client.apps.googleusercontent.com' };
  const [dev, crs, sim, port] = await Promise.all([
    serve({ profile: 'production' }),
    serve({ profile: 'production', issuers: [google], crs: 'test' }),
    serve({ profile: 'production', issuers: [google], enclave: { producer: 'simulation' } }),
    serve({}, '--port', 'http'),
  ]);
  assert.equal(dev.code, 1);
  assert.match(dev.stderr, /ERR_CONFIG: the production profile refuses the dev issuer/);
  assert.equal(crs.code, 1);
  assert.match(crs.stderr, /refuses the test CRS/);
  assert.equal(sim.code, 1);
  assert.match(sim.stderr, /refuses simulated attestation/);
  assert.equal(port.code, 2);
});

test('an issuer whose keys cannot be loaded: one log line without a stack, and "unavailable" in /api/config', { timeout: 180_000 }, async () => {
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const file = join(dir, 'broken-issuer.json');
  // A file JWKS that does not exist; the authorization endpoint is given, so nothing is fetched from the network.
  writeFileSync(file, JSON.stringify({ issuers: [{ kind: 'oidc', id: 'corp', iss: 'https://login.corp.invalid', aud: 'veil', jwks: join(dir, 'missing-jwks.json'), authorizationEndpoint: 'https://login.corp.invalid/auth' }], enclave: { producer: 'none' } }));
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [VEIL, 'serve', '--config', file, '--port', String(port), '--data', join(dir, 'data-broken')], { env: { ...process.env, PORT: '', VEIL_CONFIG: '', DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  try {
    let config: { issuers: Array<{ id: string; keys?: { state: string; error?: string } }> } | undefined;
    // Until the server answers and its first key load has finished ("pending" before that: a loaded machine gets there late).
    const settled = () => config !== undefined && config.issuers.find((i) => i.id === 'corp')?.keys?.state !== 'pending';
    for (let i = 0; i < 600 && !settled(); i++) {
      config = await fetch(`http://127.0.0.1:${port}/api/config`).then((r) => (r.ok ? r.json() : undefined), () => undefined);
      if (!settled()) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(config, out);
    const corp = config.issuers.find((i) => i.id === 'corp');
    assert.equal(corp?.keys?.state, 'unavailable');
    assert.match(corp?.keys?.error ?? '', /^could not fetch the JWKS of https:\/\/login\.corp\.invalid: ENOENT/);
    const lines = out.split('\n').filter((l) => l.includes('issuer keys unavailable'));
    assert.equal(lines.length, 1, out);
    assert.match(lines[0]!, /issuer keys unavailable: could not fetch the JWKS of https:\/\/login\.corp\.invalid: ENOENT/);
    // pino would put a logged error's stack in a "stack" field (newlines escaped)
    assert.doesNotMatch(out, /"stack"|\n\s+at |\\n\s+at /, 'no stack trace in the logs');
  } finally {
    child.kill('SIGTERM');
  }
});
