import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSimulationRoot } from '@veil/attest/simulation-root';
import { IDENTITY_DIR, measureEnclave } from '../src/build-enclave.ts';
import { verifyEnclaveEvidence } from '../src/verify-evidence.ts';
import { toHex } from '@veil/crypto/bytes';

const REPO = resolve(IDENTITY_DIR, '..', '..');
const SCRIPT = join(IDENTITY_DIR, 'scripts', 'build-enclave.ts');
const TSX = fileURLToPath(import.meta.resolve('tsx'));

function buildFrom(cwd: string, out: string): string {
  const r = spawnSync(process.execPath, ['--import', TSX, SCRIPT, '--out', out], { cwd, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('reproducible build: two clean builds from different cwds, after touching mtimes, give identical bytes', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-build-'));
  try {
    const a = buildFrom(REPO, join(tmp, 'a', 'enclave.mjs'));
    // touch every source of the service (mtimes must not matter)
    const src = join(IDENTITY_DIR, 'src');
    const later = new Date(Date.now() + 3_600_000);
    for (const f of await readdir(src, { recursive: true })) {
      const p = join(src, f);
      if ((await stat(p)).isFile()) await utimes(p, later, later);
    }
    const b = buildFrom(tmp, join(tmp, 'b', 'enclave.mjs'));
    const bytesA = await readFile(join(tmp, 'a', 'enclave.mjs'));
    const bytesB = await readFile(join(tmp, 'b', 'enclave.mjs'));
    assert.ok(bytesA.length > 10_000);
    assert.ok(bytesA.equals(bytesB), 'identical bytes');
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(a, b);
    assert.equal(a, createHash('sha256').update(bytesA).digest('hex'), 'measurement = SHA-256 of the bundle');
    assert.equal(await measureEnclave(), a, 'in-memory measurement matches the written bundle');
    const text = bytesA.toString('utf8');
    // A leaked path is the directory itself or something inside it (HOME=/root must not match the
    // relative module comment "../attest/src/roots.ts").
    for (const abs of [REPO, tmp, tmpdir(), process.env.HOME ?? '/root']) {
      assert.ok(!new RegExp(`${abs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_.-])`).test(text), `bundle must not contain the absolute path ${abs}`);
    }
    assert.ok(!/\b20\d\d-\d\d-\d\dT\d\d:\d\d/.test(text), 'no ISO timestamps');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('the bundle runs: under simulation it reports its own hash as measurement, with verifiable evidence', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-bundle-run-'));
  const bundle = join(tmp, 'enclave.mjs');
  const measurement = buildFrom(REPO, bundle);
  const child = spawn(process.execPath, [bundle], {
    cwd: tmp,
    env: { PATH: process.env.PATH, VEIL_PROFILE: 'development', VEIL_ENCLAVE_PRODUCER: 'simulation', VEIL_ENCLAVE_PORT: '0', VEIL_DATA_DIR: join(tmp, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const line = await new Promise<string>((res, rej) => {
      let out = '';
      const t = setTimeout(() => rej(new Error(`enclave did not start: ${stderr}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(t);
          res(out.split('\n')[0]!);
        }
      });
      child.once('exit', (code) => rej(new Error(`enclave exited ${code}: ${stderr}`)));
    });
    const info = JSON.parse(line);
    assert.equal(info.measurement, measurement);
    assert.equal(info.simulated, true);
    assert.match(stderr, /WARNING: SIMULATED ATTESTATION/);
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    const res = await fetch(`${info.url}/attestation/evidence?challenge=${toHex(challenge)}`);
    assert.equal(res.status, 200);
    const root = parseSimulationRoot(await readFile(join(tmp, 'data', 'simulation-root.json'), 'utf8'));
    const v = await verifyEnclaveEvidence(await res.json(), { purpose: 'evidence', challenge, measurements: [measurement], allowSimulation: true, simulationRoot: root });
    assert.equal(v.facts.measurement, measurement);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    await rm(tmp, { recursive: true, force: true });
  }
});

test('startEnclaveService (what veil serve calls in development): simulation, build-hash measurement, real HTTP', async () => {
  const { startEnclaveService } = await import('../src/start-enclave-service.ts');
  const tmp = await mkdtemp(join(tmpdir(), 'veil-start-'));
  const warnings: string[] = [];
  const svc = await startEnclaveService({ producer: 'simulation', port: 0, dataDir: join(tmp, 'enclave'), warn: (m) => warnings.push(m) });
  try {
    assert.equal(svc.simulated, true);
    assert.equal(svc.measurement, await measureEnclave());
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /SIMULATED ATTESTATION/);
    assert.equal(svc.simulationRootPath, join(tmp, 'enclave', 'simulation-root.json'));
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    const res = await fetch(`${svc.url}/attestation/evidence?challenge=${toHex(challenge)}`);
    const root = parseSimulationRoot(await readFile(svc.simulationRootPath!, 'utf8'));
    const v = await verifyEnclaveEvidence(await res.json(), { purpose: 'evidence', challenge, measurements: [svc.measurement], allowSimulation: true, simulationRoot: root });
    assert.equal(toHex(v.channelPublicKey), svc.channelPublicKey);
  } finally {
    await svc.close();
    await rm(tmp, { recursive: true, force: true });
  }
});
