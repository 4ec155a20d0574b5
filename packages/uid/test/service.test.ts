// The UID service over real HTTP (127.0.0.1, port 0): attested callers only, single-use nonces,
// sealed shares, and the identity service's client deriving UIDs through 1-of-1, 2-of-3 and 3-of-5.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { evaluateDirect } from './helpers/evaluate-direct.ts';
import { createSimulationProducer, type SimulationProducer } from '@veil/attest/producers/simulation';
import { buildUidApp } from '../src/app.ts';
import { runUidService, type UidServiceHandle } from '../src/uid-service.ts';
import { generateShares, groupFile } from '../src/generate-shares.ts';
import { parseUidGroup, type UidGroup } from '../src/share-file.ts';
import { createNodeVerifier } from '../src/verify-node.ts';
import { deriveUid, deriveUids, type AttestCaller } from '../src/derive-uid.ts';
import { deriveEvaluateReportData } from '../src/report-data.ts';
import { blindInputs } from '../src/blind.ts';
import { toBase64 } from '@veil/crypto/bytes';

const M_ID = 'a1'.repeat(32); // the identity service's (caller's) measurement
const M_UID = 'b2'.repeat(32); // the UID service's measurement
const enc = new TextEncoder();
const root = await mkdtemp(join(tmpdir(), 'veil-uid-'));
const callerProducer = await createSimulationProducer({ dataDir: join(root, 'identity'), measurement: M_ID });
const nodeProducer = await createSimulationProducer({ dataDir: join(root, 'uid-sim'), measurement: M_UID });
const running: UidServiceHandle[] = [];
after(async () => {
  await Promise.all(running.map((s) => s.close()));
  await rm(root, { recursive: true, force: true });
});

const quiet = () => {};
const callers = { measurements: [M_ID], allowSimulation: true, simulationRoot: callerProducer.rootPublicKey };
const nodeTrust = { measurements: [M_UID], allowSimulation: true, simulationRoot: nodeProducer.rootPublicKey };
const attestAs = (p: SimulationProducer): AttestCaller => async (reportData) => ({ type: p.type, evidence: await p.evidence(reportData) });
const attestCaller = attestAs(callerProducer);

let groups = 0;
async function startGroup(threshold: number, n: number, secretKey?: Uint8Array): Promise<{ group: UidGroup; nodes: UidServiceHandle[] }> {
  const g = ++groups;
  const names = Array.from({ length: n }, (_, i) => `g${g}-${i}`);
  const gen = generateShares({ threshold, nodes: names, secretKey });
  const nodes: UidServiceHandle[] = [];
  for (const share of gen.shares) {
    const dir = join(root, share.node);
    const sharePath = join(root, `${share.node}.share.json`);
    await writeFile(sharePath, JSON.stringify(share), { mode: 0o600 });
    const svc = await runUidService({ producer: nodeProducer, dataDir: dir, sharePath, callers, port: 0, warn: quiet });
    running.push(svc);
    nodes.push(svc);
  }
  const group = parseUidGroup(groupFile(gen, Object.fromEntries(nodes.map((s) => [s.node, s.url]))));
  return { group, nodes };
}

function clientFor(group: UidGroup, extra: { fetch?: typeof fetch } = {}) {
  return { group, attestCaller, verifyNode: createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: nodeTrust, ...extra }), ...extra };
}

/** A fetch that lets only the listed node URLs through (the others look unreachable). */
function onlyNodes(urls: string[]): typeof fetch {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    const u = String(url);
    if (!urls.some((n) => u.startsWith(`${n}/`))) throw new TypeError('fetch failed: connection refused');
    return fetch(u, init);
  }) as typeof fetch;
}

const key = ristretto255_oprf.voprf.generateKeyPair();
const alice = enc.encode('zoë ó briain|1990-02-03|ie');
const bob = enc.encode('jürgen weiß|1985-11-30|de');
const expectedAlice = bytesToHex(evaluateDirect(key.secretKey, alice));
const expectedBob = bytesToHex(evaluateDirect(key.secretKey, bob));

test('1-of-1, 2-of-3 and 3-of-5 over HTTP all give the single-key UID; batches agree', async () => {
  for (const [t, n] of [[1, 1], [2, 3], [3, 5]] as const) {
    const { group } = await startGroup(t, n, key.secretKey);
    const c = clientFor(group);
    const a = await deriveUid({ ...c, input: alice });
    assert.equal(a.uid, expectedAlice, `${t}-of-${n}`);
    assert.equal(a.nodes.length, t);
    assert.deepEqual(a.faults, []);
    assert.equal((await deriveUid({ ...c, input: alice })).uid, expectedAlice, 'same person, new round, same UID');
    const batch = await deriveUids({ ...c, inputs: [bob, alice, bob] });
    assert.deepEqual(batch.uids, [expectedBob, expectedAlice, expectedBob]);
  }
});

test('3-of-5: every set of 2 reachable nodes fails with ERR_UID_THRESHOLD; any 3 succeed', async () => {
  const { group, nodes } = await startGroup(3, 5, key.secretKey);
  const urls = nodes.map((s) => s.url);
  for (let i = 0; i < 5; i++) {
    for (let j = i + 1; j < 5; j++) {
      const f = onlyNodes([urls[i]!, urls[j]!]);
      await assert.rejects(deriveUid({ ...clientFor(group, { fetch: f }), input: alice }), (e: { code: string; failures: Array<{ node: string; code: string }> }) => {
        assert.equal(e.code, 'ERR_UID_THRESHOLD');
        assert.equal(e.failures.length, 3);
        assert.ok(e.failures.every((x) => x.code === 'ERR_UID_NODE_UNAVAILABLE'));
        return true;
      });
    }
  }
  const r = await deriveUid({ ...clientFor(group, { fetch: onlyNodes([urls[4]!, urls[0]!, urls[2]!]) }), input: alice });
  assert.equal(r.uid, expectedAlice);
  assert.deepEqual([...r.nodes].sort(), [nodes[0]!.node, nodes[2]!.node, nodes[4]!.node].sort());
});

test('a node answering with a wrong partial is caught and named; the others still make the UID', async () => {
  const gen = generateShares({ threshold: 2, nodes: ['honest-a', 'honest-b', 'liar'], secretKey: key.secretKey });
  const nodes: Record<string, string> = {};
  for (const share of gen.shares) {
    // the liar claims its listed public share but evaluates with another scalar
    const secretKey = share.node === 'liar' ? ristretto255_oprf.voprf.generateKeyPair().secretKey : hexToBytes(share.share!);
    const app = await buildUidApp({
      producer: nodeProducer,
      key: { node: share.node, index: share.index, threshold: 2, secretKey, publicShare: hexToBytes(gen.publicShares[share.index - 1]!.publicShare), groupPublicKey: hexToBytes(gen.groupPublicKey) },
      callers,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    running.push({ close: () => app.close() } as UidServiceHandle);
    nodes[share.node] = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  }
  const group = parseUidGroup(groupFile(gen, nodes));
  // Only the liar and one honest node reachable: below threshold, and the liar is named.
  await assert.rejects(deriveUid({ ...clientFor(group, { fetch: onlyNodes([nodes.liar!, nodes['honest-a']!]) }), input: alice }), (e: { code: string; failures: Array<{ node: string; code: string }> }) => {
    assert.equal(e.code, 'ERR_UID_THRESHOLD');
    assert.deepEqual(e.failures.filter((f) => f.code === 'ERR_UID_PARTIAL_INVALID').map((f) => f.node), ['liar']);
    return true;
  });
  // All three reachable: the liar may or may not answer first; the UID is right either way, and
  // when its answer was examined it is named among the faults.
  for (let i = 0; i < 3; i++) {
    const r = await deriveUid({ ...clientFor(group), input: alice });
    assert.equal(r.uid, expectedAlice);
    assert.ok(!r.nodes.includes('liar'));
    assert.ok(r.faults.every((f) => f.node === 'liar' && f.code === 'ERR_UID_PARTIAL_INVALID'));
  }
});

test('single key: a node whose evaluation does not match its public key is caught by RFC Finalize and named', async () => {
  const gen = generateShares({ threshold: 1, nodes: ['solo-liar'], secretKey: key.secretKey });
  const app = await buildUidApp({
    producer: nodeProducer,
    key: { node: 'solo-liar', index: 1, threshold: 1, secretKey: ristretto255_oprf.voprf.generateKeyPair().secretKey, publicShare: key.publicKey, groupPublicKey: key.publicKey },
    callers,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const group = parseUidGroup(groupFile(gen, { 'solo-liar': `http://127.0.0.1:${(app.server.address() as { port: number }).port}` }));
    await assert.rejects(deriveUid({ ...clientFor(group), input: alice }), (e: { code: string; failures: Array<{ node: string; code: string }> }) => {
      assert.equal(e.code, 'ERR_UID_THRESHOLD');
      assert.deepEqual(e.failures.map((f) => [f.node, f.code]), [['solo-liar', 'ERR_UID_PARTIAL_INVALID']]);
      return true;
    });
  } finally {
    await app.close();
  }
});

test('the client refuses UID nodes whose evidence does not match the pinned measurement or the group file', async () => {
  const { group } = await startGroup(1, 1);
  const wrongMeasurement = createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: { ...nodeTrust, measurements: ['00'.repeat(32)] } });
  const noSim = createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: { measurements: [M_UID] } });
  const otherRoot = createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: { ...nodeTrust, simulationRoot: callerProducer.rootPublicKey } });
  for (const [why, verifyNode, inner] of [
    ['wrong measurement', wrongMeasurement, 'ERR_MEASUREMENT_MISMATCH'],
    ['simulation not allowed', noSim, 'ERR_SIMULATION_NOT_ALLOWED'],
    ['other simulation root', otherRoot, 'ERR_SIMULATION_ROOT_MISMATCH'],
  ] as const) {
    await assert.rejects(deriveUid({ group, attestCaller, verifyNode, input: alice }), (e: { code: string; failures: Array<{ code: string; message: string }> }) => {
      assert.equal(e.code, 'ERR_UID_THRESHOLD', why);
      assert.equal(e.failures[0]!.code, 'ERR_UID_NODE_UNTRUSTED', why);
      assert.match(e.failures[0]!.message, new RegExp(inner), why);
      return true;
    });
  }
  // a recorded evidence answer replayed for a new challenge (e.g. by a node that lost its TEE)
  let recorded: string | undefined;
  const replaying = (async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    if (!String(url).includes('/attestation/evidence')) return res;
    recorded ??= await res.text();
    return new Response(recorded, { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const replayVerifier = createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: nodeTrust, fetch: replaying, maxAgeMs: 0 });
  await replayVerifier(group.nodes[0]!);
  await assert.rejects(replayVerifier(group.nodes[0]!), (e: { code: string; node: string; message: string }) => e.code === 'ERR_UID_NODE_UNTRUSTED' && e.node === group.nodes[0]!.name && /ERR_REPORT_DATA_MISMATCH/.test(e.message));
  // a group file that names another share for this URL: the node's evidence binds its own share
  const other = generateShares({ threshold: 1, nodes: [group.nodes[0]!.name] });
  const forged = parseUidGroup(groupFile(other, { [group.nodes[0]!.name]: group.nodes[0]!.url }));
  await assert.rejects(deriveUid({ ...clientFor(forged), input: alice }), (e: { failures: Array<{ code: string }> }) => e.failures[0]!.code === 'ERR_UID_NODE_UNTRUSTED');
});

test('the UID service evaluates only for an attested caller: no evidence, wrong measurement, replay, other elements, simulation not allowed', async () => {
  const strict = await runUidService({ producer: nodeProducer, dataDir: join(root, 'strict'), node: 'strict', callers: { measurements: [M_ID] }, warn: quiet });
  const open = await runUidService({ producer: nodeProducer, dataDir: join(root, 'open'), node: 'open', callers, warn: quiet });
  running.push(strict, open);
  const impostor = await createSimulationProducer({ dataDir: join(root, 'identity'), measurement: 'cc'.repeat(32) });
  const foreignRoot = await createSimulationProducer({ dataDir: join(root, 'foreign'), measurement: M_ID });
  const nonce = async (url: string) => hexToBytes(((await (await fetch(`${url}/uid/v1/challenge`)).json()) as { nonce: string }).nonce);
  const post = (url: string, body: unknown) => fetch(`${url}/uid/v1/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const [item] = blindInputs([alice]);
  const blinded = [bytesToHex(item!.blinded)];
  const request = async (url: string, p: SimulationProducer, n: Uint8Array[], boundElements = [item!.blinded]) => ({
    v: 1, nonces: n.map(bytesToHex), blindedElements: blinded, evidenceType: p.type, evidence: toBase64(await p.evidence(deriveEvaluateReportData(n, boundElements))),
  });
  const expectError = async (res: Response, status: number, code: string, inner?: string) => {
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code);
    if (inner) assert.match(body.error.message, new RegExp(inner));
  };

  // the honest request works once …
  const n1 = await nonce(open.url);
  const good = await request(open.url, callerProducer, [n1]);
  const ok = await post(open.url, good);
  assert.equal(ok.status, 200);
  const okBody = (await ok.json()) as { evaluatedElements: string[]; proof: string; node: string };
  assert.equal(okBody.evaluatedElements.length, 1);
  assert.equal(okBody.node, 'open');
  // … and never again (replayed nonce and evidence)
  await expectError(await post(open.url, good), 401, 'ERR_UID_NONCE_INVALID');
  // no evidence at all
  const { evidence: _e, ...noEvidence } = await request(open.url, callerProducer, [await nonce(open.url)]);
  await expectError(await post(open.url, noEvidence), 400, 'ERR_UID_REQUEST_INVALID');
  await expectError(await post(open.url, { ...noEvidence, evidence: '' }), 403, 'ERR_UID_CALLER_UNTRUSTED');
  // a build that is not pinned
  await expectError(await post(open.url, await request(open.url, impostor, [await nonce(open.url)])), 403, 'ERR_UID_CALLER_UNTRUSTED', 'ERR_MEASUREMENT_MISMATCH');
  // the right measurement signed by another simulation install
  await expectError(await post(open.url, await request(open.url, foreignRoot, [await nonce(open.url)])), 403, 'ERR_UID_CALLER_UNTRUSTED', 'ERR_SIMULATION_ROOT_MISMATCH');
  // evidence bound to other elements (caller attested for bob, sends alice)
  const [bobItem] = blindInputs([bob]);
  await expectError(await post(open.url, await request(open.url, callerProducer, [await nonce(open.url)], [bobItem!.blinded])), 403, 'ERR_UID_CALLER_UNTRUSTED', 'ERR_REPORT_DATA_MISMATCH');
  // evidence made for one nonce, sent with another (fresh) nonce
  const stale = await request(open.url, callerProducer, [await nonce(open.url)]);
  await expectError(await post(open.url, { ...stale, nonces: [bytesToHex(await nonce(open.url))] }), 403, 'ERR_UID_CALLER_UNTRUSTED', 'ERR_REPORT_DATA_MISMATCH');
  // a nonce this node never issued (another node's), and no nonce of this node
  await expectError(await post(open.url, await request(open.url, callerProducer, [await nonce(strict.url)])), 401, 'ERR_UID_NONCE_INVALID');
  // a failed attempt burns the nonce: the honest retry with the same nonce is refused
  const n2 = await nonce(open.url);
  await post(open.url, await request(open.url, impostor, [n2]));
  await expectError(await post(open.url, await request(open.url, callerProducer, [n2])), 401, 'ERR_UID_NONCE_INVALID');
  // simulation callers are refused unless the node allows them explicitly
  await expectError(await post(strict.url, await request(strict.url, callerProducer, [await nonce(strict.url)])), 403, 'ERR_UID_CALLER_UNTRUSTED', 'ERR_SIMULATION_NOT_ALLOWED');
  // malformed bodies
  for (const element of ['00'.repeat(32) /* identity */, 'ff'.repeat(32) /* not canonical */]) {
    await expectError(await post(open.url, { ...good, nonces: [bytesToHex(await nonce(open.url))], blindedElements: [element] }), 400, 'ERR_UID_ELEMENT_INVALID');
  }
  const n3 = bytesToHex(await nonce(open.url));
  for (const body of [{ ...good, v: 2 }, { ...good, nonces: [n3, n3] }, { ...good, blindedElements: [] }, { ...good, extra: 1 }, { ...good, evidenceType: 'nitro' }]) {
    await expectError(await post(open.url, body), 400, 'ERR_UID_REQUEST_INVALID');
  }
  await expectError(await post(open.url, { ...good, evidence: 'A'.repeat(300_000) }), 413, 'ERR_UID_REQUEST_INVALID');
  await expectError(await fetch(`${open.url}/uid/v1/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"v":1,' }), 400, 'ERR_UID_REQUEST_INVALID');
  await expectError(await fetch(`${open.url}/attestation/evidence?challenge=zz`), 400, 'ERR_UID_REQUEST_INVALID');
  await expectError(await fetch(`${open.url}/nope`), 404, 'ERR_NOT_FOUND');
  // and the client, attesting as the impostor, is refused by every node
  const { group } = await startGroup(2, 3, key.secretKey);
  await assert.rejects(deriveUid({ group, attestCaller: attestAs(impostor), verifyNode: createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: nodeTrust }), input: alice }), (e: { code: string; failures: Array<{ code: string; message: string }> }) => {
    assert.equal(e.code, 'ERR_UID_THRESHOLD');
    assert.equal(e.failures.length, 3);
    assert.ok(e.failures.every((f) => f.code === 'ERR_UID_NODE_REFUSED' && /ERR_UID_CALLER_UNTRUSTED/.test(f.message)));
    return true;
  });
});

test('nonces expire and are bounded', async () => {
  let clock = 1_000_000;
  const gen = generateShares({ threshold: 1, nodes: ['clocked'] });
  const app = await buildUidApp({
    producer: nodeProducer,
    key: { node: 'clocked', index: 1, threshold: 1, secretKey: hexToBytes(gen.shares[0]!.share!), publicShare: hexToBytes(gen.publicShares[0]!.publicShare), groupPublicKey: hexToBytes(gen.groupPublicKey) },
    callers,
    nonceTtlMs: 1000,
    maxNonces: 2,
    now: () => clock,
  });
  const nonce = async () => (await app.inject({ url: '/uid/v1/challenge' })).json().nonce as string;
  const n = await nonce();
  await nonce();
  const full = await app.inject({ url: '/uid/v1/challenge' });
  assert.equal(full.statusCode, 503);
  assert.equal(full.json().error.code, 'ERR_BUSY');
  clock += 1001;
  const [item] = blindInputs([alice]);
  const evidence = toBase64(await callerProducer.evidence(deriveEvaluateReportData([hexToBytes(n)], [item!.blinded])));
  const res = await app.inject({ method: 'POST', url: '/uid/v1/evaluate', payload: { v: 1, nonces: [n], blindedElements: [bytesToHex(item!.blinded)], evidenceType: 'simulation', evidence } });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().error.code, 'ERR_UID_NONCE_INVALID');
  assert.equal((await app.inject({ url: '/uid/v1/challenge' })).statusCode, 200, 'expired nonces make room');
  await app.close();
});

test('the key is sealed to the measurement: restart keeps the UID, another build cannot unseal, plaintext import is sealed', async () => {
  const dir = join(root, 'sealed-single');
  const first = await runUidService({ producer: nodeProducer, dataDir: dir, node: 'solo', callers, warn: quiet });
  const group1 = parseUidGroup(groupFile({ threshold: 1, groupPublicKey: first.groupPublicKey, publicShares: [{ name: 'solo', index: 1, publicShare: first.publicShare }] }, { solo: first.url }));
  const uid1 = (await deriveUid({ ...clientFor(group1), input: alice })).uid;
  await first.close();
  const sealedText = await readFile(first.sealedSharePath, 'utf8');
  assert.ok(!('share' in JSON.parse(sealedText)), 'no plaintext share on disk');
  assert.equal((await stat(first.sealedSharePath)).mode & 0o077, 0);
  const second = await runUidService({ producer: nodeProducer, dataDir: dir, node: 'solo', callers, warn: quiet });
  running.push(second);
  assert.equal(second.publicShare, first.publicShare);
  const group2 = parseUidGroup({ ...group1, nodes: [{ ...group1.nodes[0]!, url: second.url }] });
  assert.equal((await deriveUid({ ...clientFor(group2), input: alice })).uid, uid1);
  const otherBuild = await createSimulationProducer({ dataDir: join(root, 'uid-sim'), measurement: 'dd'.repeat(32) });
  await assert.rejects(runUidService({ producer: otherBuild, dataDir: dir, node: 'solo', callers, warn: quiet }), { code: 'ERR_UNSEAL' });

  // import of a plaintext share: sealed into the data dir, the service says so
  const gen = generateShares({ threshold: 1, nodes: ['imported'], secretKey: key.secretKey });
  const plain = join(root, 'imported.share.json');
  await writeFile(plain, JSON.stringify(gen.shares[0]), { mode: 0o600 });
  const warnings: string[] = [];
  const imported = await runUidService({ producer: nodeProducer, dataDir: join(root, 'imported'), sharePath: plain, callers, warn: (m) => warnings.push(m) });
  running.push(imported);
  assert.ok(warnings.some((w) => w.includes('SIMULATED ATTESTATION')));
  assert.ok(warnings.some((w) => w.includes(imported.sealedSharePath) && w.includes('delete the plaintext')));
  assert.ok(!('share' in JSON.parse(await readFile(imported.sealedSharePath, 'utf8'))));
  const g = parseUidGroup(groupFile(gen, { imported: imported.url }));
  assert.equal((await deriveUid({ ...clientFor(g), input: alice })).uid, expectedAlice);
  // a tampered sealed blob is refused
  const sealed = JSON.parse(await readFile(imported.sealedSharePath, 'utf8'));
  const bytes = Uint8Array.from(atob(sealed.sealed), (ch) => ch.charCodeAt(0));
  bytes[bytes.length - 1]! ^= 1;
  const tampered = join(root, 'tampered.share.json');
  await writeFile(tampered, JSON.stringify({ ...sealed, sealed: toBase64(bytes) }), { mode: 0o600 });
  await assert.rejects(runUidService({ producer: nodeProducer, dataDir: join(root, 'tampered'), sharePath: tampered, callers, warn: quiet }), { code: 'ERR_UNSEAL' });
});
