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
