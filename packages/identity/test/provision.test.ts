import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulationProducer, type SimulationProducer } from '@veil/attest/producers/simulation';
import { startProvisionAgent, type ProvisionEvent } from '../src/provision-agent.ts';
import { receiveProvisionedSecret } from '../src/provision-client.ts';
import { generateChannelKey } from '../src/channel.ts';
import { runEnclaveService } from '../src/enclave-service.ts';
import { JsonLines } from '../src/lib/json-lines.ts';
import { toHex } from '@veil/crypto/bytes';

const M = '5a'.repeat(32);
const SECRET = new TextEncoder().encode('postgres://veil:correct-horse@db.internal/veil');

async function fixture(): Promise<{ dir: string; sock: string; producer: SimulationProducer; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'veil-prov-'));
  const producer = await createSimulationProducer({ dataDir: join(dir, 'enclave'), measurement: M });
  return { dir, sock: join(dir, 'agent.sock'), producer, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A raw protocol client that lets a test act as a malicious "service". */
async function rawClient(sock: string): Promise<JsonLines> {
  const s = connect(sock);
  await new Promise<void>((r, j) => {
    s.once('connect', r);
    s.once('error', j);
  });
  return new JsonLines(s);
}

test('provision: happy path, the secret reaches the service in memory', async () => {
  const f = await fixture();
  const events: ProvisionEvent[] = [];
  const agent = await startProvisionAgent({
    socketPath: f.sock,
    secret: SECRET,
    measurements: [M],
    allowSimulation: true,
    simulationRoot: f.producer.rootPublicKey,
    once: true,
    onEvent: (e) => events.push(e),
  });
  try {
    const svc = await runEnclaveService({ producer: f.producer, provisionSocket: f.sock, warn: () => {} });
    try {
      assert.deepEqual(svc.secret, SECRET);
    } finally {
      await svc.close();
    }
    await agent.done; // `once`: the agent stops after one success
    assert.deepEqual(events, [{ kind: 'provisioned', measurement: M, simulated: true }]);
  } finally {
    await agent.close();
    await f.cleanup();
  }
});

test('provision: wrong measurement → the agent refuses and sends nothing', async () => {
  const f = await fixture();
  const events: ProvisionEvent[] = [];
  const agent = await startProvisionAgent({
    socketPath: f.sock,
    secret: SECRET,
    measurements: ['00'.repeat(32)],
    allowSimulation: true,
    simulationRoot: f.producer.rootPublicKey,
    onEvent: (e) => events.push(e),
  });
  try {
    await assert.rejects(
      receiveProvisionedSecret({ socketPath: f.sock, producer: f.producer, channel: await generateChannelKey() }),
      { code: 'ERR_PROVISION_REFUSED' },
    );
    assert.equal(events.length, 1);
    assert.equal(events[0]!.kind, 'refused');
    assert.equal((events[0] as { code: string }).code, 'ERR_MEASUREMENT_MISMATCH');
  } finally {
    await agent.close();
    await f.cleanup();
  }
});

test('provision: simulation evidence is refused unless explicitly allowed', async () => {
  const f = await fixture();
  const events: ProvisionEvent[] = [];
  const agent = await startProvisionAgent({ socketPath: f.sock, secret: SECRET, measurements: [M], onEvent: (e) => events.push(e) });
  try {
    await assert.rejects(
      receiveProvisionedSecret({ socketPath: f.sock, producer: f.producer, channel: await generateChannelKey() }),
      { code: 'ERR_PROVISION_REFUSED' },
    );
    assert.equal((events[0] as { code: string }).code, 'ERR_SIMULATION_NOT_ALLOWED');
  } finally {
    await agent.close();
    await f.cleanup();
  }
  // allowed, but with another install's root: still refused
  const g = await fixture();
  const other = await fixture();
  const ev2: ProvisionEvent[] = [];
  const agent2 = await startProvisionAgent({
    socketPath: g.sock, secret: SECRET, measurements: [M], allowSimulation: true, simulationRoot: other.producer.rootPublicKey, onEvent: (e) => ev2.push(e),
  });
  try {
    await assert.rejects(receiveProvisionedSecret({ socketPath: g.sock, producer: g.producer, channel: await generateChannelKey() }), { code: 'ERR_PROVISION_REFUSED' });
    assert.equal((ev2[0] as { code: string }).code, 'ERR_SIMULATION_ROOT_MISMATCH');
  } finally {
    await agent2.close();
    await g.cleanup();
    await other.cleanup();
  }
});

test('provision: replayed evidence (bound to an old challenge) is refused', async () => {
  const f = await fixture();
  const events: ProvisionEvent[] = [];
  const agent = await startProvisionAgent({
    socketPath: f.sock, secret: SECRET, measurements: [M], allowSimulation: true, simulationRoot: f.producer.rootPublicKey, onEvent: (e) => events.push(e),
  });
  try {
    // 1. an eavesdropper records a genuine exchange's evidence message
    const channel = await generateChannelKey();
    const { deriveReportData } = await import('../src/report-data.ts');
    const { toBase64 } = await import('@veil/crypto/bytes');
    const first = await rawClient(f.sock);
    const c1 = (await first.read(5000)) as { challenge: string };
    const rd = deriveReportData('provision', Uint8Array.from(Buffer.from(c1.challenge, 'hex')), channel.publicKey);
    const recorded = {
      v: 1,
      msg: 'evidence',
      response: { v: 1, type: 'simulation', evidence: toBase64(await f.producer.evidence(rd)), channelPublicKey: toHex(channel.publicKey), measurement: M, simulated: true },
    };
    await first.write(recorded);
    assert.equal(((await first.read(5000)) as { msg: string }).msg, 'secret');
    await first.write({ v: 1, msg: 'ack' });
    // 2. later, it replays that evidence on a new connection (new challenge)
    const second = await rawClient(f.sock);
    const c2 = (await second.read(5000)) as { challenge: string };
    assert.notEqual(c2.challenge, c1.challenge, 'every connection gets a fresh challenge');
    await second.write(recorded);
    const reply = (await second.read(5000)) as { msg: string; code: string };
    assert.equal(reply.msg, 'refused');
    assert.equal(reply.code, 'ERR_REPORT_DATA_MISMATCH');
  } finally {
    await agent.close();
    await f.cleanup();
  }
});

test('provision: a man in the middle swapping the channel key gets nothing it can read', async () => {
  const f = await fixture();
  const events: ProvisionEvent[] = [];
  const agent = await startProvisionAgent({
    socketPath: f.sock, secret: SECRET, measurements: [M], allowSimulation: true, simulationRoot: f.producer.rootPublicKey, onEvent: (e) => events.push(e),
  });
  const mitmSock = join(f.dir, 'mitm.sock');
  const { createServer } = await import('node:net');
  const attackerKey = await generateChannelKey();
  // The MITM sits between the genuine service and the agent and relays, but replaces the channel key.
  const mitm = createServer(async (victim) => {
    const fromService = new JsonLines(victim);
    const toAgent = await rawClient(f.sock);
    try {
      await fromService.write(await toAgent.read(5000)); // challenge
      const ev = (await fromService.read(5000)) as { response: Record<string, unknown> };
      ev.response.channelPublicKey = toHex(attackerKey.publicKey);
      await toAgent.write(ev);
      const reply = await toAgent.read(5000);
      await fromService.write(reply);
    } catch {
      victim.destroy();
    }
  });
  await new Promise<void>((r) => mitm.listen(mitmSock, r));
  try {
    await assert.rejects(
      receiveProvisionedSecret({ socketPath: mitmSock, producer: f.producer, channel: await generateChannelKey() }),
      { code: 'ERR_PROVISION_REFUSED' },
    );
    assert.equal((events[0] as { code: string }).code, 'ERR_REPORT_DATA_MISMATCH');
    assert.equal(events.some((e) => e.kind === 'provisioned'), false);
  } finally {
    mitm.close();
    await agent.close();
    await f.cleanup();
  }
});

test('provision: a relay that keeps the key only forwards a ciphertext for the genuine service', async () => {
  const f = await fixture();
  const agent = await startProvisionAgent({ socketPath: f.sock, secret: SECRET, measurements: [M], allowSimulation: true, simulationRoot: f.producer.rootPublicKey });
  try {
    const service = await generateChannelKey();
    const attacker = await generateChannelKey();
    const conn = await rawClient(f.sock);
    const { challenge } = (await conn.read(5000)) as { challenge: string };
    const c = Uint8Array.from(Buffer.from(challenge, 'hex'));
    const { deriveReportData } = await import('../src/report-data.ts');
    const { toBase64, fromBase64 } = await import('@veil/crypto/bytes');
    const ev = await f.producer.evidence(deriveReportData('provision', c, service.publicKey));
    await conn.write({ v: 1, msg: 'evidence', response: { v: 1, type: 'simulation', evidence: toBase64(ev), channelPublicKey: toHex(service.publicKey), measurement: M, simulated: true } });
    const msg = (await conn.read(5000)) as { enc: string; ciphertext: string };
    const sealed = { enc: fromBase64(msg.enc, 256, 'X', 'enc'), ciphertext: fromBase64(msg.ciphertext, 1 << 17, 'X', 'ct') };
    const { PROVISION_HPKE_INFO } = await import('../src/provision-client.ts');
    await assert.rejects(attacker.open(sealed, PROVISION_HPKE_INFO, c), { code: 'ERR_CHANNEL_DECRYPT' });
    await assert.rejects(service.open(sealed, PROVISION_HPKE_INFO, new Uint8Array(32)), { code: 'ERR_CHANNEL_DECRYPT' }, 'bound to the challenge');
    assert.deepEqual(await service.open(sealed, PROVISION_HPKE_INFO, c), SECRET);
    await conn.write({ v: 1, msg: 'ack' });
  } finally {
    await agent.close();
    await f.cleanup();
  }
});

test('provision: garbage, oversized and silent peers are refused without hanging', async () => {
  const f = await fixture();
  const events: ProvisionEvent[] = [];
  const agent = await startProvisionAgent({
    socketPath: f.sock, secret: SECRET, measurements: [M], allowSimulation: true, simulationRoot: f.producer.rootPublicKey, timeoutMs: 300, onEvent: (e) => events.push(e),
  });
  try {
    const a = await rawClient(f.sock);
    await a.read(5000);
    await a.write({ v: 1, msg: 'hello' });
    assert.equal(((await a.read(5000)) as { code: string }).code, 'ERR_PROVISION_PROTOCOL');
    const b = await rawClient(f.sock);
    await b.read(5000);
    await b.write({ v: 1, msg: 'evidence', response: { v: 1, type: 'simulation', evidence: 'AAAA', channelPublicKey: 'zz' } });
    assert.equal(((await b.read(5000)) as { code: string }).code, 'ERR_EVIDENCE_MALFORMED');
    const c = await rawClient(f.sock);
    await c.read(5000);
    // silence: the agent times out and hangs up
    await assert.rejects(c.read(5000), { code: 'ERR_PROVISION_CLOSED' });
    assert.ok(events.some((e) => e.kind === 'refused' && e.code === 'ERR_PROVISION_TIMEOUT'));
    const d = connect(f.sock);
    d.on('error', () => {}); // the agent resets the connection
    await new Promise((r) => d.once('connect', r));
    d.write('x'.repeat(300 * 1024));
    await new Promise((r) => d.once('close', r));
    assert.ok(events.every((e) => e.kind === 'refused'));
  } finally {
    await agent.close();
    await f.cleanup();
  }
});

test('provision: the service fails to start when the agent is unreachable', async () => {
  const f = await fixture();
  try {
    await assert.rejects(runEnclaveService({ producer: f.producer, provisionSocket: join(f.dir, 'nobody.sock'), warn: () => {} }), { code: 'ERR_PROVISION_UNREACHABLE' });
  } finally {
    await f.cleanup();
  }
});

test('provision over tcp:// (for services that cannot reach host unix sockets, e.g. under Gramine)', async () => {
  const f = await fixture();
  const agent = await startProvisionAgent({
    socketPath: 'tcp://127.0.0.1:0', secret: SECRET, measurements: [M], allowSimulation: true, simulationRoot: f.producer.rootPublicKey, once: true,
  });
  try {
    assert.match(agent.socketPath, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    const secret = await receiveProvisionedSecret({ socketPath: agent.socketPath, producer: f.producer, channel: await generateChannelKey() });
    assert.deepEqual(secret, SECRET);
    await agent.done;
  } finally {
    await agent.close();
    await f.cleanup();
  }
  const { parseEndpoint } = await import('../src/lib/endpoint.ts');
  assert.deepEqual(parseEndpoint('/run/veil/p.sock'), { path: '/run/veil/p.sock' });
  assert.deepEqual(parseEndpoint('tcp://[::1]:7000'), { host: '::1', port: 7000 });
  for (const bad of ['', 'tcp://host', 'tcp://host:99999', 'tcp://:1']) assert.throws(() => parseEndpoint(bad), TypeError);
});

test('provision with a pinned agent key: the genuine agent is accepted, an impostor agent is not', async () => {
  const { ed25519 } = await import('@noble/curves/ed25519.js');
  const f = await fixture();
  const agentKey = ed25519.utils.randomSecretKey();
  const pinned = toHex(ed25519.getPublicKey(agentKey));
  const common = { socketPath: f.sock, measurements: [M], allowSimulation: true, simulationRoot: f.producer.rootPublicKey, once: true };
  try {
    const genuine = await startProvisionAgent({ ...common, secret: SECRET, agentSecretKey: agentKey });
    const svc = await runEnclaveService({ producer: f.producer, provisionSocket: f.sock, provisionAgentKey: pinned, warn: () => {} });
    await svc.close();
    assert.deepEqual(svc.secret, SECRET);
    await genuine.close();

    // a host-run agent without the key (unsigned), and one with another key, cannot plant a secret
    for (const agentSecretKey of [undefined, ed25519.utils.randomSecretKey()]) {
      const impostor = await startProvisionAgent({ ...common, secret: new TextEncoder().encode('postgres://attacker-db'), agentSecretKey, timeoutMs: 2000 });
      await assert.rejects(
        runEnclaveService({ producer: f.producer, provisionSocket: f.sock, provisionAgentKey: pinned, warn: () => {} }),
        { code: 'ERR_PROVISION_AGENT_UNTRUSTED' },
      );
      await impostor.close();
    }
    await assert.rejects(runEnclaveService({ producer: f.producer, provisionSocket: f.sock, provisionAgentKey: 'zz', warn: () => {} }), TypeError);
  } finally {
    await f.cleanup();
  }
});

test('provision signature: covers the challenge, the channel key and the ciphertext', async () => {
  const { ed25519 } = await import('@noble/curves/ed25519.js');
  const { provisionSignedBytes, signProvision, verifyProvisionSig } = await import('../src/lib/provision-sig.ts');
  const sk = ed25519.utils.randomSecretKey();
  const pk = ed25519.getPublicKey(sk);
  const parts = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(32).fill(3), new Uint8Array(40).fill(4)] as const;
  const sig = signProvision(sk, provisionSignedBytes(...parts));
  assert.ok(verifyProvisionSig(pk, provisionSignedBytes(...parts), sig));
  for (let i = 0; i < 4; i++) {
    const changed = parts.map((p, j) => (j === i ? p.map((b) => b ^ 1) : p)) as unknown as typeof parts;
    assert.equal(verifyProvisionSig(pk, provisionSignedBytes(...changed), sig), false, `part ${i}`);
  }
  // moving a byte between enc and ciphertext changes the signed bytes (length-prefixed enc)
  assert.notDeepEqual(provisionSignedBytes(parts[0], parts[1], new Uint8Array(31).fill(3), new Uint8Array([3, ...parts[3]])), provisionSignedBytes(...parts));
});
