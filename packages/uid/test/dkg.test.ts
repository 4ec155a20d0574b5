// Distributed key generation in process, every node with its own simulation install: honest 2-of-3
// and 3-of-5 ceremonies give share files whose t-subsets all evaluate one VOPRF key (t−1 never), and
// misbehaving dealers, tampered, replayed or misaddressed files and impostors are caught and named.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from '@hpke/core';
import { createSimulationProducer, type SimulationProducer } from '@veil/attest/producers/simulation';
import { unseal } from '@veil/attest/seal';
import { fromBase64, toBase64 } from '@veil/crypto/bytes';
import { evaluateDirect } from './helpers/evaluate-direct.ts';
import { createDkgPlan, joinDkg, dealDkg, checkDkg, finishDkg, type DkgTrust, type DkgNode, type DkgDeal, type DkgPlan, type DkgJoin, type DkgCheck } from '../src/dkg/dkg.ts';
import { dealDigest, lp, shareInfo } from '../src/dkg/files.ts';
import { blindInputs } from '../src/blind.ts';
import { evaluateBlinded } from '../src/evaluate.ts';
import { verifyPartial } from '../src/verify-partial.ts';
import { combinePartials, lagrangeAtZero } from '../src/combine.ts';
import { finalizeUids } from '../src/finalize.ts';
import { parseShareFile, parseUidGroup } from '../src/share-file.ts';
import { IDENTITY, add, mulBase, randomScalar, scalarAdd, scalarMul } from '../src/lib/group.ts';

const M_UID = 'b2'.repeat(32);
const root = await mkdtemp(join(tmpdir(), 'veil-uid-dkg-'));
after(() => rm(root, { recursive: true, force: true }));
const enc = new TextEncoder();
let dirs = 0;

interface Party extends DkgNode {
  producer: SimulationProducer;
}

async function parties(n: number): Promise<{ nodes: Party[]; trust: DkgTrust; plan: (t: number) => DkgPlan }> {
  const base = join(root, String(++dirs));
  const nodes: Party[] = [];
  for (let i = 0; i < n; i++) {
    const node = `uid-${String.fromCharCode(97 + i)}`;
    const dataDir = join(base, node);
    nodes.push({ node, dataDir, producer: await createSimulationProducer({ dataDir, measurement: M_UID }) });
  }
  const trust: DkgTrust = { measurements: [M_UID], allowSimulation: true, simulationRoots: Object.fromEntries(nodes.map((p) => [p.node, p.producer.rootPublicKey])) };
  const plan = (t: number) => createDkgPlan({ threshold: t, nodes: nodes.map((p, i) => ({ name: p.node, url: `http://127.0.0.1:${9000 + i}` })) });
  return { nodes, trust, plan };
}

const by = <T extends { dealer?: string; node?: string }>(xs: T[], name: string): T => xs.find((x) => (x.dealer ?? x.node) === name)!;

async function reattest<T extends DkgDeal>(d: T, p: SimulationProducer): Promise<T> {
  return { ...d, evidence: toBase64(await p.evidence(dealDigest(d))) };
}

const hpke = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
/** What a corrupted dealer does: encrypts some other scalar as `to`'s share, correctly addressed. */
async function wrongShareFor(d: DkgDeal, to: string, join: DkgJoin, p: SimulationProducer): Promise<DkgDeal> {
  const recipientPublicKey = await hpke.kem.deserializePublicKey(hexToBytes(join.hpkePublicKey));
  const sender = await hpke.createSenderContext({ recipientPublicKey, info: shareInfo(d.transcript, d.dealer, to) });
  const ciphertext = new Uint8Array(await sender.seal(randomScalar(), lp(d.commitments)));
  const shares = d.shares.map((s) => (s.to === to ? { to, enc: toBase64(new Uint8Array(sender.enc)), ciphertext: toBase64(ciphertext) } : s));
  return reattest({ ...d, shares }, p);
}

async function joinAll(plan: DkgPlan, nodes: Party[]): Promise<DkgJoin[]> {
  return Promise.all(nodes.map((p) => joinDkg(plan, p)));
}

async function dealAll(plan: DkgPlan, joins: DkgJoin[], nodes: Party[], trust: DkgTrust): Promise<DkgDeal[]> {
  return Promise.all(nodes.map((p) => dealDkg(plan, joins, p, trust)));
}

async function checkAll(plan: DkgPlan, joins: DkgJoin[], deals: DkgDeal[], nodes: Party[], trust: DkgTrust): Promise<DkgCheck[]> {
  return Promise.all(nodes.map((p) => checkDkg(plan, joins, deals, p, trust)));
}

function subsets<T>(xs: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [h, ...rest] = xs;
  return [...subsets(rest, k - 1).map((s) => [h!, ...s]), ...subsets(rest, k)];
}

/** Every t-subset of the unsealed shares gives one UID, that of the key they interpolate to (whose ·G is the group key); t−1 fail. */
async function assertShares(results: Awaited<ReturnType<typeof finishDkg>>[], nodes: Party[]): Promise<void> {
  const group = parseUidGroup(results[0]!.group);
  for (const r of results) assert.deepEqual(r.group, group, 'every node computes the same group');
  const t = group.threshold;
  const secrets = await Promise.all(results.map(async (r, i) => {
    const s = parseShareFile(r.share);
    assert.equal(s.share, undefined, 'the share is only ever written sealed');
    assert.equal((await stat(r.sharePath)).mode & 0o077, 0);
    return { index: s.index, node: s.node, secret: await unseal(fromBase64(s.sealed, 4096, 'X', 'sealed'), nodes[i]!.producer, { purpose: 'veil-uid/share/v1' }) };
  }));
  const inputs = [enc.encode('zoë ó briain|1990-02-03|ie'), enc.encode('jürgen weiß|1985-11-30|de')];
  const items = blindInputs(inputs);
  const blinded = items.map((it) => it.blinded);
  const partials = secrets.map((s) => {
    const publicShare = hexToBytes(group.nodes.find((n) => n.name === s.node)!.publicShare);
    return { index: s.index, points: verifyPartial({ node: s.node, publicShare, blinded, ...evaluateBlinded({ secretKey: s.secret, publicKey: publicShare, blinded }) }) };
  });
  // Only the test puts t shares together to name the key, as a reference.
  const first = secrets.slice(0, t);
  const k = lagrangeAtZero(first.map((s) => s.index)).reduce((acc, l, i) => scalarAdd(acc, scalarMul(l, first[i]!.secret)), new Uint8Array(32));
  assert.equal(bytesToHex(mulBase(k)), group.groupPublicKey);
  const expected = inputs.map((x) => bytesToHex(evaluateDirect(k, x)));
  for (const set of subsets(partials, t)) assert.deepEqual(finalizeUids(items, combinePartials(set, t)), expected);
  for (const set of subsets(partials, t - 1)) assert.throws(() => combinePartials(set, t), { code: 'ERR_UID_THRESHOLD' });
  // a node answering with another node's share is caught by its DLEQ proof and named
  const [a, b] = secrets;
  const publicShareB = hexToBytes(group.nodes.find((n) => n.name === b!.node)!.publicShare);
  assert.throws(() => verifyPartial({ node: b!.node, publicShare: publicShareB, blinded, ...evaluateBlinded({ secretKey: a!.secret, publicKey: publicShareB, blinded }) }),
    { name: 'UidNodeError', code: 'ERR_UID_PARTIAL_INVALID', node: b!.node });
}

for (const [t, n] of [[2, 3], [3, 5]] as const) {
  test(`honest ${t}-of-${n} DKG: share files in the usual format, any ${t} give one UID, the HPKE seeds are gone`, async () => {
    const { nodes, trust, plan: mk } = await parties(n);
    const plan = mk(t);
    const joins = await joinAll(plan, nodes);
    assert.deepEqual(await joinDkg(plan, nodes[0]!).then((j) => j.hpkePublicKey), joins[0]!.hpkePublicKey, 'joining again reuses the sealed key');
    const deals = await dealAll(plan, joins, nodes, trust);
    const checks = await checkAll(plan, joins, deals, nodes, trust);
    for (const c of checks) assert.deepEqual(c.complaints, []);
    const results = await Promise.all(nodes.map((p) => finishDkg(plan, joins, deals, checks, p, trust)));
    for (const r of results) {
      assert.deepEqual(r.qualified, nodes.map((p) => p.node));
      assert.deepEqual(r.disqualified, []);
    }
    await assertShares(results, nodes);
    for (const p of nodes) assert.deepEqual((await readdir(p.dataDir)).filter((f) => f.includes('hpke')), [], 'the ceremony key is deleted');
    await assert.rejects(finishDkg(plan, joins, deals, checks, nodes[0]!, trust), { code: 'ERR_UID_DKG_NOT_JOINED' });
  });
}

test('a dealer with an inconsistent share is caught by its recipient, named, and disqualified by everyone', async () => {
  const { nodes, trust, plan: mk } = await parties(3);
  const plan = mk(2);
  const joins = await joinAll(plan, nodes);
  const deals = await dealAll(plan, joins, nodes, trust);
  deals[1] = await wrongShareFor(deals[1]!, 'uid-c', by(joins, 'uid-c'), nodes[1]!.producer);
  const checks = await checkAll(plan, joins, deals, nodes, trust);
  assert.deepEqual(by(checks, 'uid-c').complaints, [{ dealer: 'uid-b', reason: 'the share is not on the committed polynomial' }]);
  assert.deepEqual(by(checks, 'uid-a').complaints, []);
  const results = await Promise.all(nodes.map((p) => finishDkg(plan, joins, deals, checks, p, trust)));
  for (const r of results) {
    assert.deepEqual(r.qualified, ['uid-a', 'uid-c']);
    assert.deepEqual(r.disqualified, [{ dealer: 'uid-b', reasons: ['uid-c: the share is not on the committed polynomial'] }]);
  }
  await assertShares(results, nodes); // uid-b still holds a share of the key of uid-a + uid-c
});

test('a tampered commitment: refused as not attested; re-attested by its dealer, every node complains', async () => {
  const { nodes, trust, plan: mk } = await parties(3);
  const plan = mk(2);
  const joins = await joinAll(plan, nodes);
  const deals = await dealAll(plan, joins, nodes, trust);
  const tampered = { ...deals[0]!, commitments: [deals[0]!.commitments[0]!, bytesToHex(mulBase(randomScalar()))] };
  await assert.rejects(checkDkg(plan, joins, [tampered, deals[1]!, deals[2]!], nodes[1]!, trust), (e: Error & { code?: string }) =>
    e.code === 'ERR_UID_DKG_DEAL_INVALID' && /"uid-a" is not attested: ERR_REPORT_DATA_MISMATCH/.test(e.message));
  const lying = await reattest(tampered, nodes[0]!.producer);
  const checks = await checkAll(plan, joins, [lying, deals[1]!, deals[2]!], nodes, trust);
  // the HPKE AAD is the commitment list, so a share never opens under other commitments
  for (const c of checks) assert.deepEqual(c.complaints, [{ dealer: 'uid-a', reason: 'the share does not decrypt' }], c.node);
  const r = await finishDkg(plan, joins, [lying, deals[1]!, deals[2]!], checks, nodes[2]!, trust);
  assert.deepEqual(r.qualified, ['uid-b', 'uid-c']);
  // an identity commitment or a short list is a complaint too, not a crash
  const identity = await reattest({ ...deals[0]!, commitments: [deals[0]!.commitments[0]!, '00'.repeat(32)] }, nodes[0]!.producer);
  const short = await reattest({ ...deals[0]!, commitments: [deals[0]!.commitments[0]!] }, nodes[0]!.producer);
  assert.deepEqual((await checkDkg(plan, joins, [identity], nodes[1]!, trust)).complaints, [{ dealer: 'uid-a', reason: 'commitment 1 is the identity element' }]);
  assert.deepEqual((await checkDkg(plan, joins, [short], nodes[1]!, trust)).complaints, [{ dealer: 'uid-a', reason: '1 commitments, 2 expected' }]);
});

test('files replayed from another ceremony or another participant list are refused', async () => {
  const { nodes, trust, plan: mk } = await parties(3);
  const one = mk(2);
  const two = mk(2);
  const joins1 = await joinAll(one, nodes);
  const joins2 = await joinAll(two, nodes);
  const deals1 = await dealAll(one, joins1, nodes, trust);
  const deals2 = await dealAll(two, joins2, nodes, trust);
  await assert.rejects(dealDkg(two, [joins1[0]!, joins2[1]!, joins2[2]!], nodes[1]!, trust), { code: 'ERR_UID_DKG_JOIN_INVALID', message: /"uid-a" belongs to another ceremony/ });
  await assert.rejects(checkDkg(two, joins2, [deals1[0]!, deals2[1]!], nodes[1]!, trust), { code: 'ERR_UID_DKG_DEAL_INVALID', message: /"uid-a" belongs to another ceremony/ });
  // relabelled as ceremony two: its evidence no longer matches
  const relabelled = { ...deals1[0]!, ceremony: two.ceremony, transcript: deals2[0]!.transcript };
  await assert.rejects(checkDkg(two, joins2, [relabelled], nodes[1]!, trust), { code: 'ERR_UID_DKG_DEAL_INVALID', message: /not attested: ERR_REPORT_DATA_MISMATCH/ });
  // same ceremony id, another participant list (uid-c's URL changed, or uid-c dropped): the joins' evidence binds the plan
  const moved = { ...one, nodes: one.nodes.map((x) => (x.name === 'uid-c' ? { ...x, url: 'http://evil.example' } : x)) };
  await assert.rejects(dealDkg(moved, joins1, nodes[0]!, trust), { code: 'ERR_UID_DKG_JOIN_INVALID', message: /not attested: ERR_REPORT_DATA_MISMATCH/ });
  const fewer = { ...one, nodes: one.nodes.slice(0, 2) };
  await assert.rejects(dealDkg(fewer, joins1.slice(0, 2), nodes[0]!, trust), { code: 'ERR_UID_DKG_JOIN_INVALID', message: /not attested/ });
  const checks1 = await checkAll(one, joins1, deals1, nodes, trust);
  const checks2 = await checkAll(two, joins2, deals2, nodes, trust);
  await assert.rejects(finishDkg(two, joins2, deals2, [checks1[0]!, checks2[1]!, checks2[2]!], nodes[1]!, trust), { code: 'ERR_UID_DKG_CHECK_INVALID', message: /"uid-a" belongs to another ceremony/ });
});

test('a wrong recipient: a share moved to another slot does not decrypt; an impostor key is never encrypted to', async () => {
  const { nodes, trust, plan: mk } = await parties(3);
  const plan = mk(2);
  const joins = await joinAll(plan, nodes);
  const deals = await dealAll(plan, joins, nodes, trust);
  const d = deals[0]!;
  const swapped = await reattest({ ...d, shares: [d.shares[0]!, { ...d.shares[2]!, to: 'uid-b' }, { ...d.shares[1]!, to: 'uid-c' }] }, nodes[0]!.producer);
  assert.deepEqual((await checkDkg(plan, joins, [swapped], nodes[1]!, trust)).complaints, [{ dealer: 'uid-a', reason: 'the share does not decrypt' }]);
  const misaddressed = await reattest({ ...d, shares: [d.shares[0]!, d.shares[2]!, d.shares[1]!] }, nodes[0]!.producer);
  assert.deepEqual((await checkDkg(plan, joins, [misaddressed], nodes[1]!, trust)).complaints, [{ dealer: 'uid-a', reason: 'the shares do not address the plan nodes in order' }]);
  // an impostor for uid-c: its own simulation install (not uid-c's root), or another measurement
  const impostor = await createSimulationProducer({ dataDir: join(root, 'impostor'), measurement: M_UID });
  const fake = await joinDkg(plan, { node: 'uid-c', producer: impostor, dataDir: join(root, 'impostor') });
  await assert.rejects(dealDkg(plan, [joins[0]!, joins[1]!, fake], nodes[0]!, trust), { code: 'ERR_UID_DKG_JOIN_INVALID', message: /"uid-c" is not attested: ERR_SIMULATION_ROOT_MISMATCH/ });
  const otherBuild = await createSimulationProducer({ dataDir: nodes[2]!.dataDir, measurement: 'c3'.repeat(32) });
  const wrongBuild = await joinDkg(plan, { node: 'uid-c', producer: otherBuild, dataDir: join(root, 'other-build') });
  await assert.rejects(dealDkg(plan, [joins[0]!, joins[1]!, wrongBuild], nodes[0]!, trust), { code: 'ERR_UID_DKG_JOIN_INVALID', message: /ERR_MEASUREMENT_MISMATCH/ });
  await assert.rejects(dealDkg(plan, joins, nodes[0]!, { measurements: [M_UID] }), { code: 'ERR_UID_DKG_JOIN_INVALID', message: /ERR_SIMULATION_NOT_ALLOWED/ });
  await assert.rejects(dealDkg(plan, joins, nodes[0]!, { ...trust, simulationRoots: { 'uid-a': nodes[0]!.producer.rootPublicKey, 'uid-b': nodes[1]!.producer.rootPublicKey } }), { code: 'ERR_UID_DKG_JOIN_INVALID', message: /"uid-c" is simulated and no simulation root was given/ });
  // a check by a node whose join file carries someone else's key
  await assert.rejects(checkDkg(plan, [joins[0]!, joins[1]!, { ...joins[1]!, node: 'uid-c' }], deals, nodes[2]!, trust), { code: 'ERR_UID_DKG_JOIN_INVALID' });
});

test('fewer than t qualified dealers, a missing check or diverging deal sets: refused, no share written', async () => {
  const { nodes, trust, plan: mk } = await parties(3);
  const plan = mk(2);
  const joins = await joinAll(plan, nodes);
  const deals = await dealAll(plan, joins, nodes, trust);
  const bad = [deals[0]!, await wrongShareFor(deals[1]!, 'uid-a', joins[0]!, nodes[1]!.producer), await wrongShareFor(deals[2]!, 'uid-a', joins[0]!, nodes[2]!.producer)];
  const checks = await checkAll(plan, joins, bad, nodes, trust);
  await assert.rejects(finishDkg(plan, joins, bad, checks, nodes[1]!, trust), (e: Error & { code?: string }) =>
    e.code === 'ERR_UID_DKG_THRESHOLD' && /1 qualified dealer\(s\), 2 needed/.test(e.message) && /uid-b: uid-a: the share is not on/.test(e.message));
  const good = await checkAll(plan, joins, deals, nodes, trust);
  await assert.rejects(finishDkg(plan, joins, deals, good.slice(0, 2), nodes[0]!, trust), { code: 'ERR_UID_DKG_CHECK_INVALID', message: /no check file from node "uid-c"/ });
  const partial = await checkDkg(plan, joins, deals.slice(0, 2), nodes[2]!, trust);
  await assert.rejects(finishDkg(plan, joins, deals, [good[0]!, good[1]!, partial], nodes[0]!, trust), { code: 'ERR_UID_DKG_CHECK_INVALID', message: /"uid-c" checked other deal files/ });
  const forged = { ...good[2]!, complaints: [{ dealer: 'uid-a', reason: 'made up' }] };
  await assert.rejects(finishDkg(plan, joins, deals, [good[0]!, good[1]!, forged], nodes[0]!, trust), { code: 'ERR_UID_DKG_CHECK_INVALID', message: /"uid-c" is not attested/ });
  for (const p of nodes) assert.deepEqual((await readdir(p.dataDir)).filter((f) => f.endsWith('.share.sealed.json')), []);
  // with one dealer fewer but still t, it works
  const two = await checkAll(plan, joins, deals.slice(0, 2), nodes, trust);
  const r = await finishDkg(plan, joins, deals.slice(0, 2), two, nodes[0]!, trust);
  assert.deepEqual(r.disqualified, [{ dealer: 'uid-c', reasons: ['no deal file'] }]);
  await assert.rejects(finishDkg(plan, joins, deals.slice(0, 2), two, nodes[0]!, trust), { code: 'ERR_UID_DKG_NOT_JOINED' });
});

test('a node that dealt and then vanished, declared absent: its deal is left out, it has no place in the group', async () => {
  const { nodes, trust, plan: mk } = await parties(4);
  const plan = mk(2);
  const joins = await joinAll(plan, nodes);
  const deals = await dealAll(plan, joins, nodes, trust);
  const checks = await checkAll(plan, joins, deals, nodes, trust);
  const present = nodes.filter((p) => p.node !== 'uid-b');
  const presentChecks = checks.filter((c) => c.node !== 'uid-b');
  await assert.rejects(finishDkg(plan, joins, deals, presentChecks, nodes[0]!, trust), { code: 'ERR_UID_DKG_CHECK_INVALID', message: /no check file from node "uid-b"/ });
  // uid-b's check file, if an operator holds it anyway, is not read: the same outcome with and without it
  const results = await Promise.all(present.map((p, i) => finishDkg(plan, joins, deals, i === 0 ? checks : presentChecks, p, trust, { absent: ['uid-b'] })));
  for (const r of results) {
    assert.deepEqual(r.absent, ['uid-b']);
    assert.deepEqual(r.qualified, ['uid-a', 'uid-c', 'uid-d']);
    assert.deepEqual(r.disqualified, [{ dealer: 'uid-b', reasons: ['absent'] }]);
    assert.deepEqual(r.group.nodes.map((n) => [n.name, n.index]), [['uid-a', 1], ['uid-c', 3], ['uid-d', 4]]);
    assert.deepEqual(r.share.publicShares.map((n) => n.name), ['uid-a', 'uid-c', 'uid-d']);
  }
  const qualifiedKey = deals.filter((d) => d.dealer !== 'uid-b').reduce<Uint8Array>((acc, d) => add(acc, hexToBytes(d.commitments[0]!)), IDENTITY.slice());
  assert.equal(results[0]!.group.groupPublicKey, bytesToHex(qualifiedKey), "the group key is the present dealers' sum, without uid-b's");
  await assertShares(results, present);
});

test('--absent outside the plan, twice, the finishing node itself, or leaving fewer than t: refused before anything is written', async () => {
  const { nodes, trust, plan: mk } = await parties(3);
  const plan = mk(2);
  const joins = await joinAll(plan, nodes);
  const finish = (absent: string[]) => finishDkg(plan, joins, [], [], nodes[0]!, trust, { absent });
  await assert.rejects(finish(['uid-z']), { name: 'TypeError', message: /"uid-z" is not a node of the plan/ });
  await assert.rejects(finish(['uid-b', 'uid-b']), { name: 'TypeError', message: /named twice/ });
  await assert.rejects(finish(['uid-a']), { name: 'TypeError', message: /is the node finishing/ });
  await assert.rejects(finish(['uid-b', 'uid-c']), { code: 'ERR_UID_DKG_THRESHOLD', message: /1 node\(s\) left without the absent ones, 2 needed/ });
  // absent dealers do not count towards QUAL: with uid-c absent and uid-b's deal bad for uid-a, one dealer is left
  const deals = await dealAll(plan, joins, nodes, trust);
  const bad = [deals[0]!, await wrongShareFor(deals[1]!, 'uid-a', joins[0]!, nodes[1]!.producer), deals[2]!];
  const checks = await checkAll(plan, joins, bad, nodes.slice(0, 2), trust);
  await assert.rejects(finishDkg(plan, joins, bad, checks, nodes[1]!, trust, { absent: ['uid-c'] }), { code: 'ERR_UID_DKG_THRESHOLD', message: /1 qualified dealer\(s\), 2 needed/ });
  for (const p of nodes) assert.deepEqual((await readdir(p.dataDir)).filter((f) => f.endsWith('.share.sealed.json')), []);
});

test('a deal, join or check for a node outside the plan is refused', async () => {
  const { nodes, trust, plan: mk } = await parties(4);
  const plan = mk(2);
  const small = { ...plan, nodes: plan.nodes.slice(0, 3) };
  const joins = await joinAll(small, nodes.slice(0, 3));
  const deals = await dealAll(small, joins, nodes.slice(0, 3), trust);
  await assert.rejects(joinDkg(small, nodes[3]!), { code: 'ERR_UID_DKG_UNKNOWN_NODE' });
  const outsider = await reattest({ ...deals[0]!, dealer: 'uid-d' }, nodes[3]!.producer);
  await assert.rejects(checkDkg(small, joins, [deals[1]!, outsider], nodes[1]!, trust), { code: 'ERR_UID_DKG_UNKNOWN_NODE', message: /"uid-d" is not in the plan/ });
  const strangerJoin = await joinDkg(plan, nodes[3]!);
  await assert.rejects(dealDkg(small, [...joins, { ...strangerJoin, ceremony: small.ceremony }], nodes[0]!, trust), { code: 'ERR_UID_DKG_UNKNOWN_NODE' });
  await assert.rejects(dealDkg(small, [...joins, joins[0]!], nodes[0]!, trust), { code: 'ERR_UID_DKG_JOIN_INVALID', message: /two join files/ });
  await assert.rejects(dealDkg(small, joins, nodes[3]!, trust), { code: 'ERR_UID_DKG_UNKNOWN_NODE' });
  assert.throws(() => createDkgPlan({ threshold: 4, nodes: small.nodes }), { code: 'ERR_UID_DKG_PLAN_INVALID' });
  assert.throws(() => createDkgPlan({ threshold: 1, nodes: [{ name: 'a', url: 'http://x' }, { name: 'a', url: 'http://y' }] }), { code: 'ERR_UID_DKG_PLAN_INVALID' });
});
