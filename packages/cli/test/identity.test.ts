// `veil identity enroll | link | participate | verify-claim` against a real `veil serve`
// (development profile: dev registry over TLS, simulated UID node, identity service), then the
// personal-data scan: after several people enrolled, no file in the data dir and no line of any log
// holds a name, date of birth or nationality, nor any hash of a canonical record.
// The binary is spawned for each subcommand's success and for the exit-1 and exit-2 refusals; the
// repeated cases run the same actions in this process (veil-in-process.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_PEOPLE } from '@veil/dev-registry';
import { freePort } from '@veil/server';
import { piiNeedles, scanForNeedles } from '../../identity/test/enroll/pii-scan.ts';
import { register as registerIdentity } from '../src/commands/identity.ts';
import { register as registerKeygen } from '../src/commands/keygen.ts';
import { veilInProcess } from './veil-in-process.ts';

const VEIL = fileURLToPath(new URL('../bin/veil.mjs', import.meta.url));

function veil(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [VEIL, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (code) => res({ code, stdout, stderr }));
  });
}

test('veil identity: enroll, verify-claim, link, participate (exit 1 the second time), and no personal data anywhere', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-cli-identity-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const server = spawn(process.execPath, [VEIL, 'serve', '--port', String(port), '--data', data], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '', VEIL_CONFIG: '', DATABASE_URL: '' },
  });
  let logs = '';
  server.stdout.on('data', (d) => (logs += d));
  server.stderr.on('data', (d) => (logs += d));
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`veil serve exited: ${logs}`);
      const ok = await fetch(`${url}/api/config`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`veil serve did not come up: ${logs}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const config = await (await fetch(`${url}/api/config`)).json();
    assert.equal(config.devRegistry.name, 'dev-registry');
    assert.equal(config.enclave.simulated, true);
    assert.deepEqual(config.identity.providers, ['dev-registry']);
    assert.equal(config.identity.uidNodes.length, 1, 'the development UID node');
    // Every command but the first enroll pins the measurement (the default, the local build's hash, costs a bundle build).
    const pin = ['--expect-measurement', config.enclave.measurement as string];

    const keys: string[] = [];
    for (let i = 0; i < 4; i++) {
      const k = await veilInProcess(registerKeygen, ['keygen']);
      keys.push(join(dir, `k${i}.json`));
      writeFileSync(keys[i]!, k.stdout);
    }
    const credential = async (id: string) => (await (await fetch(`${url}/api/dev-registry/people/${id}/credential`, { method: 'POST' })).json()).credential as string;
    const enrollArgs = async (id: string, key: string, out: string, trust: string[] = pin) =>
      ['identity', 'enroll', '--server', url, '--provider', 'dev-registry', '--credential', await credential(id), '--key', key, '--allow-simulation', '--out', out, ...trust];
    const cli = (args: string[]) => veilInProcess(registerIdentity, args);

    const r = await veil(await enrollArgs('zoe', keys[0]!, join(dir, 'zoe.claims.json'), []), dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SIMULATED ATTESTATION/);
    const printed = JSON.parse(r.stdout);
    assert.deepEqual(printed, { fields: { name: 'Zoë Ó Briain', birthdate: '1991-03-14', nationality: 'IE' }, claims: join(dir, 'zoe.claims.json') });

    const v = await veil(['identity', 'verify-claim', printed.claims, '--allow-simulation', ...pin], dir);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual(JSON.parse(v.stdout).claims, { nationality: 'IE', age_over_18: true, unique: true });
    assert.equal(JSON.parse(v.stdout).simulated, true);
    assert.equal((await cli(['identity', 'verify-claim', printed.claims, ...pin])).code, 1, 'simulation refused unless allowed');
    const tampered = JSON.parse(readFileSync(printed.claims, 'utf8'));
    tampered.claims.nationality = 'NL';
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(tampered));
    assert.equal((await cli(['identity', 'verify-claim', join(dir, 'tampered.json'), '--allow-simulation', ...pin])).code, 1);

    for (const [id, k] of [['juergen', keys[2]!], ['meiling', keys[3]!]] as const) {
      const e = await cli(await enrollArgs(id, k, join(dir, `${id}.claims.json`)));
      assert.equal(e.code, 0, e.stderr);
    }
    const l = await veil(['identity', 'link', '--server', url, '--key', keys[1]!, '--claims', printed.claims, '--allow-simulation', ...pin], dir);
    assert.equal(l.code, 0, l.stderr);
    assert.deepEqual(JSON.parse(l.stdout), { linked: 'linked' });

    const partArgs = (k: string) => ['identity', 'participate', '--server', url, '--key', k, '--context', 'poll-7', '--allow-simulation', ...pin];
    const p1 = await veil(partArgs(keys[0]!), dir);
    assert.equal(p1.code, 0, p1.stderr);
    assert.deepEqual(JSON.parse(p1.stdout), { accepted: true, context: 'poll-7' });
    const p2 = await veil(partArgs(keys[1]!), dir);
    assert.equal(p2.code, 1, 'the same person through a linked key');
    assert.match(p2.stderr, /ERR_ALREADY_PARTICIPATED/);
    assert.equal((await cli(partArgs(keys[2]!))).code, 0, 'another person');

    assert.equal((await veil(['identity', 'participate', '--server', url, '--key', keys[0]!], dir)).code, 2, 'usage: --context missing');
    const bad = await cli(['identity', 'enroll', '--server', url, '--provider', 'dev-registry', '--credential', await credential('john'), '--key', keys[0]!, ...pin]);
    assert.equal(bad.code, 1, 'without --allow-simulation the simulated service is refused');
    assert.match(bad.stderr, /ERR_SIMULATION_NOT_ALLOWED/);
  } finally {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  // The personal-data scan: every file under the data dir (databases included) and every log line.
  const enrolled = DEV_PEOPLE.filter((p) => ['zoe', 'juergen', 'meiling'].includes(p.id));
  const needles = piiNeedles(enrolled);
  assert.ok(scanForNeedles([dir], '', needles).some((h) => h.includes('zoe.claims.json')), 'control: the scan finds the nationality in the user\'s own claims file');
  const hits = scanForNeedles([data], logs, needles);
  assert.deepEqual(hits, []);
  rmSync(dir, { recursive: true, force: true });
});
