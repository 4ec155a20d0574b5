// CLI tests for the producer side of attestation: `veil attest measure`, `veil enclave serve`,
// `veil attest verify-url` against a real running service on 127.0.0.1, and `veil provision`.
// Each command's success and its exit-1 and exit-2 refusals run the binary; the further refusals
// run the same command actions in this process (veil-in-process.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureEnclave } from '@veil/identity/build-enclave';
import { runEnclaveService } from '@veil/identity/enclave-service';
import { generateChannelKey } from '@veil/identity';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { register as registerAttest } from '../src/commands/attest.ts';
import { register as registerEnclave } from '../src/commands/enclave.ts';
import { BIN, veil, veilBackground, stop } from './veil-process.ts';
import { veilInProcess } from './veil-in-process.ts';

/** In-process runs, one after another (they capture the process streams). */
async function inProcess(register: Parameters<typeof veilInProcess>[0], runs: string[][]) {
  const out = [];
  for (const args of runs) out.push(await veilInProcess(register, args));
  return out;
}

test('veil attest measure prints the reproducible bundle hash', async () => {
  const r = await veil(['attest', 'measure']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), await measureEnclave());
  const elsewhere = await veil(['attest', 'measure'], { cwd: tmpdir() });
  assert.equal(elsewhere.stdout, r.stdout, 'independent of the cwd');
});

test('veil enclave serve (simulation) + veil attest verify-url against it', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-cli-enclave-'));
  const { child, line, stderr } = await veilBackground(['enclave', 'serve', '--producer', 'simulation', '--port', '0', '--data', join(tmp, 'data')]);
  const proxies: Array<{ close(): void }> = [];
  try {
    const info = JSON.parse(line);
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.simulated, true);
    assert.equal(info.measurement, await measureEnclave(), 'simulation reports the build hash');
    assert.match(stderr(), /WARNING: SIMULATED ATTESTATION/);
    const root = info.simulationRoot as string;
    const M = info.measurement as string;

    const ok = await veil(['attest', 'verify-url', info.url, '--expect-measurement', M, '--allow-simulation', '--simulation-root', root]);
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout);
    assert.equal(out.simulated, true);
    assert.equal(out.facts.tee, 'simulation');
    assert.equal(out.facts.measurement, M);
    assert.equal(out.channelPublicKey, info.channelPublicKey);
    assert.match(ok.stderr, /WARNING: SIMULATED ATTESTATION/);

    const otherDir = join(tmp, 'other');
    await createSimulationProducer({ dataDir: otherDir, measurement: M });
    const spawned = Promise.all([
      veil(['attest', 'verify-url', info.url, '--expect-measurement', M]),
      veil(['attest', 'verify-url', info.url]), // usage
    ]);
    const [wrong, otherRoot, ...usage] = await inProcess(registerAttest, [
      ['attest', 'verify-url', info.url, '--expect-measurement', '00'.repeat(32), '--allow-simulation', '--simulation-root', root],
      // another install's root does not vouch for this service
      ['attest', 'verify-url', info.url, '--expect-measurement', M, '--allow-simulation', '--simulation-root', join(otherDir, 'simulation-root.json')],
      // usage errors
      ['attest', 'verify-url', info.url, '--expect-measurement', M, '--allow-simulation'],
      ['attest', 'verify-url', 'not a url', '--expect-measurement', M],
      ['attest', 'verify-url', info.url, '--expect-measurement', 'abc'],
    ]);
    const [notAllowed, spawnedUsage] = await spawned;
    assert.equal(notAllowed!.code, 1);
    assert.match(notAllowed!.stderr, /ERR_SIMULATION_NOT_ALLOWED/);
    assert.match(notAllowed!.stderr, /WARNING/, 'warns even when refusing');
    assert.equal(wrong!.code, 1);
    assert.match(wrong!.stderr, /ERR_MEASUREMENT_MISMATCH/);
    assert.equal(otherRoot!.code, 1);
    assert.match(otherRoot!.stderr, /ERR_SIMULATION_ROOT_MISMATCH/);
    for (const u of [...usage, spawnedUsage!]) assert.equal(u.code, 2, u.stderr);

    // a proxy that swaps the channel key, and one that replays old evidence, are both caught
    const upstream = await (await fetch(`${info.url}/attestation/evidence?challenge=${'00'.repeat(32)}`)).json();
    const attacker = await generateChannelKey();
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const startProxy = (handler: (challenge: string) => Promise<unknown>) =>
      new Promise<string>((res) => {
        const srv = createServer(async (req, reply) => {
          const c = new URL(req.url!, 'http://x').searchParams.get('challenge')!;
          reply.setHeader('content-type', 'application/json');
          reply.end(JSON.stringify(await handler(c)));
        });
        proxies.push(srv);
        srv.listen(0, '127.0.0.1', () => res(`http://127.0.0.1:${(srv.address() as { port: number }).port}`));
      });
    const swapUrl = await startProxy(async (c) => {
      const real = await (await fetch(`${info.url}/attestation/evidence?challenge=${c}`)).json();
      return { ...real, channelPublicKey: hex(attacker.publicKey) };
    });
    const replayUrl = await startProxy(async () => upstream);
    const [swap, replay, down] = await inProcess(registerAttest, [
      ['attest', 'verify-url', swapUrl, '--expect-measurement', M, '--allow-simulation', '--simulation-root', root],
      ['attest', 'verify-url', replayUrl, '--expect-measurement', M, '--allow-simulation', '--simulation-root', root],
      ['attest', 'verify-url', 'http://127.0.0.1:9', '--expect-measurement', M, '--timeout', '3000'],
    ]);
    for (const r of [swap!, replay!]) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ERR_REPORT_DATA_MISMATCH/);
    }
    assert.equal(down!.code, 1);
    assert.match(down!.stderr, /ERR_EVIDENCE_FETCH/);
  } finally {
    for (const p of proxies) p.close();
    await stop(child);
    await rm(tmp, { recursive: true, force: true });
  }
});

test('veil enclave serve: gramine without /dev/attestation fails with exit 1; bad flags exit 2', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-cli-gramine-'));
  try {
    const r = await veil(['enclave', 'serve', '--port', '0', '--gramine-root', join(tmp, 'nope')]);
    const [badProducer, badPort] = await inProcess(registerEnclave, [
      ['enclave', 'serve', '--producer', 'sgx-please'],
      ['enclave', 'serve', '--port', '70000'],
    ]);
    assert.equal(r!.code, 1);
    assert.match(r!.stderr, /ERR_GRAMINE_UNAVAILABLE/);
    assert.equal(badProducer!.code, 2);
    assert.equal(badPort!.code, 2);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('veil provision hands the secret only to the expected measurement', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-cli-prov-'));
  const M = '3c'.repeat(32);
  const producer = await createSimulationProducer({ dataDir: join(tmp, 'enclave'), measurement: M });
  const secretFile = join(tmp, 'db-credentials');
  await writeFile(secretFile, 'postgres://veil:hunter2@db/veil', { mode: 0o600 });
  const root = join(tmp, 'enclave', 'simulation-root.json');
  const sock = join(tmp, 'agent.sock');
  try {
    // usage: simulation allowed without a root
    assert.equal((await veil(['provision', '--socket', sock, '--expect-measurement', M, '--secret-file', secretFile, '--allow-simulation'])).code, 2);

    const agentKey = join(tmp, 'agent.key');
    const agent = spawn(process.execPath, [BIN, 'provision', '--socket', sock, '--expect-measurement', M, '--secret-file', secretFile, '--allow-simulation', '--simulation-root', root, '--agent-key', agentKey, '--once'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    agent.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => agent.once('exit', (c) => r(c)));
    try {
      await waitFor(() => err.includes('listening'), () => err);
      const pinned = /agent public key ([0-9a-f]{64})/.exec(err)![1]!;
      assert.equal((await stat(agentKey)).mode & 0o777, 0o600, 'the created agent key is private');
      const wrongProducer = await createSimulationProducer({ dataDir: join(tmp, 'enclave'), measurement: 'ff'.repeat(32) });
      await assert.rejects(runEnclaveService({ producer: wrongProducer, provisionSocket: sock, warn: () => {} }), { code: 'ERR_PROVISION_REFUSED' });
      await waitFor(() => err.includes('ERR_MEASUREMENT_MISMATCH'), () => err);
      const svc = await runEnclaveService({ producer, provisionSocket: sock, provisionAgentKey: pinned, warn: () => {} });
      await svc.close();
      assert.equal(new TextDecoder().decode(svc.secret), await readFile(secretFile, 'utf8'));
      assert.equal(await exited, 0, err);
      assert.match(err, /WARNING: SIMULATED ATTESTATION/);
      assert.match(err, /provisioned the secret to measurement 3c3c/);
    } finally {
      await stop(agent);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

async function waitFor(cond: () => boolean, why: () => string): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(cond(), why());
}

test('veil attest verify --type simulation: only with --allow-simulation and the root, always with a warning', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-cli-simfile-'));
  try {
    const M = '7e'.repeat(32);
    const producer = await createSimulationProducer({ dataDir: join(tmp, 'enclave'), measurement: M });
    const reportData = new Uint8Array(64).fill(0x42);
    const file = join(tmp, 'evidence.bin');
    await writeFile(file, await producer.evidence(reportData));
    const root = join(tmp, 'enclave', 'simulation-root.json');
    const rd = '42'.repeat(64);
    const spawned = Promise.all([
      veil(['attest', 'verify', file, '--type', 'simulation', '--allow-simulation', '--simulation-root', root, '--expect-measurement', M, '--report-data', rd]),
      veil(['attest', 'verify', file, '--type', 'simulation', '--expect-measurement', M]),
      veil(['attest', 'verify', file, '--type', 'simulation', '--allow-simulation']),
    ]);
    const [wrongRd] = await inProcess(registerAttest, [
      ['attest', 'verify', file, '--type', 'simulation', '--allow-simulation', '--simulation-root', root, '--report-data', '43'.repeat(64)],
    ]);
    const [ok, notAllowed, noRoot] = await spawned;
    assert.equal(ok!.code, 0, ok!.stderr);
    const facts = JSON.parse(ok!.stdout);
    assert.equal(facts.tee, 'simulation');
    assert.equal(facts.simulated, true);
    assert.equal(facts.measurement, M);
    for (const r of [ok!, notAllowed!, wrongRd!]) assert.match(r.stderr, /WARNING: SIMULATED ATTESTATION/);
    assert.equal(notAllowed!.code, 1);
    assert.match(notAllowed!.stderr, /ERR_SIMULATION_NOT_ALLOWED/);
    assert.equal(wrongRd!.code, 1);
    assert.match(wrongRd!.stderr, /ERR_REPORT_DATA_MISMATCH/);
    assert.equal(noRoot!.code, 2);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
