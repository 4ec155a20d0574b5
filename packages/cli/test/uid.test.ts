// CLI tests of `veil uid`: keygen deals 2-of-3 shares, three `veil uid serve` processes run on
// 127.0.0.1, the identity-service client derives the same UID through any two of them, and the
// trust flags are refused when incomplete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { parseSimulationRoot } from '@veil/attest';
import { parseUidGroup } from '@veil/uid/share-file';
import { createNodeVerifier } from '@veil/uid/verify-node';
import { deriveUid } from '@veil/uid/derive-uid';
import { measureUidSources } from '@veil/uid/measure-sources';
import { veil, veilBackground, stop } from './veil-process.ts';

test('veil uid keygen 2-of-3 + three veil uid serve nodes: any two give the same UID, only for the pinned caller', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'veil-cli-uid-'));
  const children: ChildProcess[] = [];
  try {
    const caller = await createSimulationProducer({ dataDir: join(tmp, 'identity'), measurement: 'a1'.repeat(32) });
    const kg = await veil(['uid', 'keygen', '--threshold', '2', '--node', 'uid-a=http://127.0.0.1:1', '--node', 'uid-b=http://127.0.0.1:2', '--node', 'uid-c=http://127.0.0.1:3', '--out', join(tmp, 'keys')]);
    assert.equal(kg.code, 0, kg.stderr);
    const out = JSON.parse(kg.stdout) as { group: string; shares: string[]; groupPublicKey: string };
    assert.equal(out.shares.length, 3);
    assert.equal((await stat(out.shares[0]!)).mode & 0o077, 0, 'share files are private');
    const again = await veil(['uid', 'keygen', '--threshold', '2', '--node', 'uid-a=http://127.0.0.1:1', '--node', 'uid-b=http://127.0.0.1:2', '--out', join(tmp, 'keys')]);
    assert.equal(again.code, 1, 'never overwrites shares');

    const urls: Record<string, string> = {};
    let simulationRoot = '';
    for (const share of out.shares) {
      const { child, line, stderr } = await veilBackground([
        'uid', 'serve', '--producer', 'simulation', '--port', '0', '--share', share, '--data', join(tmp, 'uid-data'),
        '--caller-measurement', 'a1'.repeat(32), '--allow-simulation', '--simulation-root', caller.rootPublicPath,
      ]);
      children.push(child);
      const info = JSON.parse(line) as { url: string; node: string; measurement: string; simulated: boolean; simulationRoot: string; share: string };
      assert.equal(info.simulated, true);
      assert.equal(info.measurement, await measureUidSources());
      assert.match(stderr(), /SIMULATED ATTESTATION/);
      assert.ok(!('share' in JSON.parse(await readFile(info.share, 'utf8'))), 'the served share is the sealed copy');
      urls[info.node] = info.url;
      simulationRoot = info.simulationRoot;
    }
    const file = JSON.parse(await readFile(out.group, 'utf8'));
    const group = parseUidGroup({ ...file, nodes: file.nodes.map((n: { name: string }) => ({ ...n, url: urls[n.name] })) });
    const trust = { measurements: [await measureUidSources()], allowSimulation: true, simulationRoot: parseSimulationRoot(await readFile(simulationRoot, 'utf8')) };
    const attestCaller = async (rd: Uint8Array) => ({ type: caller.type, evidence: await caller.evidence(rd) });
    const input = new TextEncoder().encode('anna lindqvist|2001-07-14|se');
    const only = (names: string[]): typeof fetch => ((u: string, init?: RequestInit) =>
      names.some((n) => String(u).startsWith(`${urls[n]}/`)) ? fetch(u, init) : Promise.reject(new TypeError('unreachable'))) as typeof fetch;
    const uids = new Set<string>();
    for (const pair of [['uid-a', 'uid-b'], ['uid-b', 'uid-c'], ['uid-a', 'uid-c']]) {
      const f = only(pair);
      const r = await deriveUid({ input, group, attestCaller, fetch: f, verifyNode: createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust, fetch: f }) });
      uids.add(r.uid);
    }
    assert.equal(uids.size, 1);
    assert.match([...uids][0]!, /^[0-9a-f]{128}$/);
    const impostor = await createSimulationProducer({ dataDir: join(tmp, 'identity'), measurement: 'cc'.repeat(32) });
    await assert.rejects(
      deriveUid({ input, group, attestCaller: async (rd) => ({ type: 'simulation', evidence: await impostor.evidence(rd) }), verifyNode: createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust }) }),
      { code: 'ERR_UID_THRESHOLD' },
    );
  } finally {
    await Promise.all(children.map(stop));
    await rm(tmp, { recursive: true, force: true });
  }
});

test('veil uid serve refuses incomplete trust flags with exit 2', async () => {
  for (const args of [
    ['uid', 'serve', '--producer', 'simulation'],
    ['uid', 'serve', '--producer', 'simulation', '--caller-measurement', 'a1'.repeat(32), '--allow-simulation'],
    ['uid', 'keygen', '--threshold', '3', '--node', 'a=http://x', '--out', 'unused'],
  ]) {
    const r = await veil(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});
