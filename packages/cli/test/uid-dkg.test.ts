// `veil uid dkg` end to end: a 2-of-3 ceremony through the CLI (every node its own simulation
// install, peers pinned by NAME=root), a 3-of-5 ceremony through the library the CLI calls; then
// real `veil uid serve` processes on the DKG-made sealed shares: every t-subset gives the same UID,
// t−1 nodes fail, and nobody ever held the key. Also a 3-of-5 ceremony finished with --absent
// after one node vanished: four nodes serve, and the absent one is in no group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { parseSimulationRoot } from '@veil/attest';
import { parseUidGroup, type UidGroup } from '@veil/uid/share-file';
import { createNodeVerifier } from '@veil/uid/verify-node';
import { deriveUid } from '@veil/uid/derive-uid';
import { measureUidSources } from '@veil/uid/measure-sources';
import { createDkgPlan, joinDkg, dealDkg, checkDkg, finishDkg } from '@veil/uid/dkg';
import { veil, veilBackground, stop } from './veil-process.ts';

const M_ID = 'a1'.repeat(32);
const names = (n: number) => Array.from({ length: n }, (_, i) => `uid-${String.fromCharCode(97 + i)}`);

function subsets<T>(xs: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [h, ...rest] = xs;
  return [...subsets(rest, k - 1).map((s) => [h!, ...s]), ...subsets(rest, k)];
}

async function ok(args: string[]): Promise<Record<string, unknown>> {
  const r = await veil(args);
  assert.equal(r.code, 0, `veil ${args.slice(0, 3).join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Serves every node on its sealed DKG share and derives a UID through every t-subset (and fails with t−1). */
async function serveAndDerive(tmp: string, nodes: Array<{ name: string; share: string; data: string }>, groupFile: UidGroup): Promise<void> {
  const caller = await createSimulationProducer({ dataDir: join(tmp, 'identity'), measurement: M_ID });
  const children: ChildProcess[] = [];
  try {
    const started = await Promise.all(nodes.map((n) => veilBackground([
      'uid', 'serve', '--producer', 'simulation', '--port', '0', '--share', n.share, '--data', n.data,
      '--caller-measurement', M_ID, '--allow-simulation', '--simulation-root', caller.rootPublicPath,
    ])));
    children.push(...started.map((s) => s.child));
    const info = started.map((s) => JSON.parse(s.line) as { url: string; node: string; publicShare: string; groupPublicKey: string; share: string });
    const urls = Object.fromEntries(info.map((i) => [i.node, i.url]));
    for (const i of info) {
      assert.equal(i.groupPublicKey, groupFile.groupPublicKey);
      assert.equal(i.share, nodes.find((n) => n.name === i.node)!.share, 'serves the DKG-sealed share as it is');
    }
    const group = parseUidGroup({ ...groupFile, nodes: groupFile.nodes.map((n) => ({ ...n, url: urls[n.name] })) });
    const measurement = await measureUidSources();
    const verifiers = Object.fromEntries(await Promise.all(nodes.map(async (n) => [n.name, createNodeVerifier({
      groupPublicKey: group.groupPublicKey,
      trust: { measurements: [measurement], allowSimulation: true, simulationRoot: parseSimulationRoot(await readFile(join(n.data, 'simulation-root.json'), 'utf8')) },
    })] as const)));
    const attestCaller = async (rd: Uint8Array) => ({ type: caller.type, evidence: await caller.evidence(rd) });
    const input = new TextEncoder().encode('anna lindqvist|2001-07-14|se');
    const only = (set: string[]): typeof fetch => ((u: string, init?: RequestInit) =>
      set.some((n) => String(u).startsWith(`${urls[n]}/`)) ? fetch(u, init) : Promise.reject(new TypeError('unreachable'))) as typeof fetch;
    const derive = (set: string[]) => deriveUid({ input, group, attestCaller, fetch: only(set), verifyNode: (n) => verifiers[n.name]!(n) });
    const all = group.nodes.map((n) => n.name);
    const uids = new Set<string>();
    for (const set of subsets(all, group.threshold)) uids.add((await derive(set)).uid);
    assert.equal(uids.size, 1, 'every t-subset gives one UID');
    assert.match([...uids][0]!, /^[0-9a-f]{128}$/);
    for (const set of subsets(all, group.threshold - 1)) await assert.rejects(derive(set), { code: 'ERR_UID_THRESHOLD' });
  } finally {
    await Promise.all(children.map(stop));
  }
}

test('veil uid dkg 2-of-3 through the CLI, then three veil uid serve nodes on the sealed shares', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-cli-dkg-'));
  try {
    const ns = names(3);
    const data = (n: string) => join(tmp, n);
    const file = (n: string, step: string) => join(tmp, `${n}.${step}.json`);
    const plan = join(tmp, 'plan.json');
    const p = await ok(['uid', 'dkg', 'plan', '--threshold', '2', ...ns.flatMap((n, i) => ['--node', `${n}=http://127.0.0.1:${9100 + i}`]), '--out', plan]);
    assert.match(String(p.ceremony), /^[0-9a-f]{64}$/);
    const me = (n: string) => ['--plan', plan, '--node', n, '--producer', 'simulation', '--data', data(n)];
    await Promise.all(ns.map((n) => ok(['uid', 'dkg', 'join', ...me(n), '--out', file(n, 'join')])));
    const trust = ['--expect-measurement', await measureUidSources(), '--allow-simulation', ...ns.flatMap((n) => ['--simulation-root', `${n}=${join(data(n), 'simulation-root.json')}`])];
    const joins = ns.flatMap((n) => ['--join', file(n, 'join')]);
    // refused before anything is written: no pinned measurement (2), another ceremony's plan (1)
    assert.equal((await veil(['uid', 'dkg', 'deal', ...me('uid-a'), ...joins, '--out', file('uid-a', 'deal')])).code, 2);
    const other = join(tmp, 'other-plan.json');
    await writeFile(other, JSON.stringify(createDkgPlan({ threshold: 2, nodes: ns.map((n, i) => ({ name: n, url: `http://127.0.0.1:${9100 + i}` })) })));
    const replay = await veil(['uid', 'dkg', 'deal', '--plan', other, '--node', 'uid-a', '--producer', 'simulation', '--data', data('uid-a'), ...trust, ...joins, '--out', file('uid-a', 'deal')]);
    assert.equal(replay.code, 1);
    assert.match(replay.stderr, /ERR_UID_DKG_JOIN_INVALID: the join file of "uid-a" belongs to another ceremony/);

    await Promise.all(ns.map((n) => ok(['uid', 'dkg', 'deal', ...me(n), ...trust, ...joins, '--out', file(n, 'deal')])));
    const deals = ns.flatMap((n) => ['--deal', file(n, 'deal')]);
    const checks = await Promise.all(ns.map((n) => ok(['uid', 'dkg', 'check', ...me(n), ...trust, ...joins, ...deals, '--out', file(n, 'check')])));
    for (const c of checks) assert.deepEqual(c.complaints, []);
    const early = await veil(['uid', 'dkg', 'finish', ...me('uid-a'), ...trust, ...joins, ...deals, '--check', file('uid-a', 'check'), '--out', file('uid-a', 'group')]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /ERR_UID_DKG_CHECK_INVALID: no check file from node "uid-b"/);
    const checkFlags = ns.flatMap((n) => ['--check', file(n, 'check')]);
    const done = await Promise.all(ns.map((n) => ok(['uid', 'dkg', 'finish', ...me(n), ...trust, ...joins, ...deals, ...checkFlags, '--out', file(n, 'group')])));
    for (const d of done) {
      assert.deepEqual(d.qualified, ns);
      assert.deepEqual(d.disqualified, []);
      assert.equal(d.groupPublicKey, done[0]!.groupPublicKey);
    }
    const groups = await Promise.all(ns.map((n) => readFile(file(n, 'group'), 'utf8')));
    assert.ok(groups.every((g) => g === groups[0]), 'every node writes the same group file');
    for (const n of ns) assert.deepEqual((await readdir(data(n))).filter((f) => f.includes('hpke')), []);
    await serveAndDerive(tmp, ns.map((n, i) => ({ name: n, share: String(done[i]!.share), data: data(n) })), parseUidGroup(groups[0]));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('a 3-of-5 DKG (the library the CLI runs), then five veil uid serve nodes: every 3 give one UID, 2 fail', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-cli-dkg5-'));
  try {
    const measurement = await measureUidSources();
    const nodes = await Promise.all(names(5).map(async (node) => {
      const dataDir = join(tmp, node);
      return { node, dataDir, producer: await createSimulationProducer({ dataDir, measurement }) };
    }));
    const trust = { measurements: [measurement], allowSimulation: true, simulationRoots: Object.fromEntries(nodes.map((p) => [p.node, p.producer.rootPublicKey])) };
    const plan = createDkgPlan({ threshold: 3, nodes: nodes.map((p, i) => ({ name: p.node, url: `http://127.0.0.1:${9200 + i}` })) });
    const joins = await Promise.all(nodes.map((p) => joinDkg(plan, p)));
    const deals = await Promise.all(nodes.map((p) => dealDkg(plan, joins, p, trust)));
    const checks = await Promise.all(nodes.map((p) => checkDkg(plan, joins, deals, p, trust)));
    const results = await Promise.all(nodes.map((p) => finishDkg(plan, joins, deals, checks, p, trust)));
    await serveAndDerive(tmp, results.map((r) => ({ name: r.share.node, share: r.sharePath, data: join(tmp, r.share.node) })), results[0]!.group);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('a 3-of-5 DKG where uid-c joined and vanished: finish --absent uid-c by the other four, then four veil uid serve nodes', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-cli-dkg-absent-'));
  try {
    const measurement = await measureUidSources();
    const ns = names(5);
    const data = (n: string) => join(tmp, n);
    const file = (n: string, step: string) => join(tmp, `${n}.${step}.json`);
    const nodes = await Promise.all(ns.map(async (node) => ({ node, dataDir: data(node), producer: await createSimulationProducer({ dataDir: data(node), measurement }) })));
    const trust = { measurements: [measurement], allowSimulation: true, simulationRoots: Object.fromEntries(nodes.map((p) => [p.node, p.producer.rootPublicKey])) };
    const plan = createDkgPlan({ threshold: 3, nodes: nodes.map((p, i) => ({ name: p.node, url: `http://127.0.0.1:${9300 + i}` })) });
    await writeFile(join(tmp, 'plan.json'), JSON.stringify(plan));
    const joins = await Promise.all(nodes.map((p) => joinDkg(plan, p)));
    // uid-c never deals nor checks
    const present = nodes.filter((p) => p.node !== 'uid-c');
    const deals = await Promise.all(present.map((p) => dealDkg(plan, joins, p, trust)));
    const checks = await Promise.all(present.map((p) => checkDkg(plan, joins, deals, p, trust)));
    for (const [step, files] of [['join', joins], ['deal', deals], ['check', checks]] as const) {
      await Promise.all(files.map((f) => writeFile(file('dealer' in f ? f.dealer : f.node, step), JSON.stringify(f))));
    }
    const flags = (n: string) => [
      'uid', 'dkg', 'finish', '--plan', join(tmp, 'plan.json'), '--node', n, '--producer', 'simulation', '--data', data(n),
      '--expect-measurement', measurement, '--allow-simulation', ...ns.flatMap((x) => ['--simulation-root', `${x}=${join(data(x), 'simulation-root.json')}`]),
      ...ns.flatMap((x) => ['--join', file(x, 'join')]), ...present.flatMap((p) => ['--deal', file(p.node, 'deal'), '--check', file(p.node, 'check')]),
      '--out', file(n, 'group'),
    ];
    const [without, stranger, tooMany] = await Promise.all([
      veil(flags('uid-a')),
      veil([...flags('uid-a'), '--absent', 'uid-z']),
      veil([...flags('uid-a'), '--absent', 'uid-c', '--absent', 'uid-d', '--absent', 'uid-e']),
    ]);
    assert.equal(without.code, 1, 'without --absent, finish refuses as before');
    assert.match(without.stderr, /ERR_UID_DKG_CHECK_INVALID: no check file from node "uid-c"/);
    assert.equal(stranger.code, 2);
    assert.match(stranger.stderr, /ERR_USAGE: --absent: "uid-z" is not a node of the plan/);
    assert.equal(tooMany.code, 1);
    assert.match(tooMany.stderr, /ERR_UID_DKG_THRESHOLD: 2 node\(s\) left without the absent ones, 3 needed/);
    const done = await Promise.all(present.map((p) => ok([...flags(p.node), '--absent', 'uid-c'])));
    for (const d of done) {
      assert.deepEqual(d.absent, ['uid-c']);
      assert.deepEqual(d.qualified, ['uid-a', 'uid-b', 'uid-d', 'uid-e']);
      assert.deepEqual(d.disqualified, [{ dealer: 'uid-c', reasons: ['absent'] }]);
      assert.equal(d.groupPublicKey, done[0]!.groupPublicKey);
    }
    const groups = await Promise.all(present.map((p) => readFile(file(p.node, 'group'), 'utf8')));
    assert.ok(groups.every((g) => g === groups[0]), 'every present node writes the same group file');
    const group = parseUidGroup(groups[0]);
    assert.deepEqual(group.nodes.map((n) => [n.name, n.index]), [['uid-a', 1], ['uid-b', 2], ['uid-d', 4], ['uid-e', 5]], 'the absent node is not in the group');
    await serveAndDerive(tmp, present.map((p, i) => ({ name: p.node, share: String(done[i]!.share), data: data(p.node) })), group);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
