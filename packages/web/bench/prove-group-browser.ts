/**
 * `npm run bench:browser-group`: one-person group proofs in headless Chromium (Debian's, via
 * playwright-core), threads on (cross-origin isolated), test CRS — the app's own group worker, as
 * the poll page uses it. The page serves a registrar-signed leaf log of LEAVES members (the
 * proving cost does not depend on the tree's depth: the circuit always takes a 32-level path).
 * Prints: the tree rebuild from the log in the browser (every signature and root checked); the
 * first proof (program, key and CRS fetch, bb.js start); the median of RUNS warm proofs (the
 * worker's `prove`: log re-sync, commitment, witness, proof, self-verification) — the figure for
 * the "proving ≤ 3 s in Chromium" target; and warm verification of one proof.
 */
import { loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import {
  applyGroupUpdate, bytesToHex, createGroupTree, deriveCommitment, encodeGroupUpdate, encodeVote, generateEphemeralKey, generateIdentitySecret,
  messageToField, signPayload, voteScope, type GroupUpdate,
} from '@veil/crypto';
import { createBackend } from '@veil/prover';
import { loadTestCrs } from '@veil/prover/crs-node';
import type { GroupLogEntryWire } from '@veil/server/schemas';
import { CHROMIUM_ARGS } from '../e2e/harness.ts';
import type { GroupReply, GroupRequest } from '../src/app/workers/group-protocol.ts';
import { serveBench } from './serve-bench.ts';

const RUNS = 5;
const LEAVES = 1025;
const GROUP = 'human';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load0 = loadavg()[0]!;

// 1. The group circuit's size, and a test CRS on disk large enough for it.
const backend = await createBackend({ crs: 'test', threads: 2 });
const { total, dyadic } = await backend.circuitSize('group');
await backend.destroy();
await loadTestCrs(dyadic + 1);

// 2. A registrar-signed log of LEAVES members; the bench's person holds leaf 0.
const reg = generateEphemeralKey();
const registrar = bytesToHex(reg.publicKey);
const secret = generateIdentitySecret();
const tree = await createGroupTree();
const log: GroupLogEntryWire[] = [];
for (let i = 0; i < LEAVES; i++) {
  const commitment = await deriveCommitment(i === 0 ? secret : generateIdentitySecret());
  const update: GroupUpdate = { v: 1, seq: i + 1, group: GROUP, action: 'insert', index: i, commitment, createdAt: Date.now() };
  log.push({ pos: i, update, signature: signPayload(encodeGroupUpdate(update), bytesToHex(reg.secretKey)), root: applyGroupUpdate(tree, update), receivedAt: Date.now() });
}

// 3. The bench page, and the leaf log at the board's path.
const served = await serveBench('group.html', (req, res) => {
  const u = new URL(req.url ?? '/', 'http://x');
  if (u.pathname !== `/api/groups/${GROUP}/leaves`) return false;
  const since = Number(u.searchParams.get('since') ?? 0);
  const entries = log.slice(since, since + 1000);
  const next = since + entries.length < log.length ? since + entries.length : null;
  res.writeHead(200, { 'content-type': 'application/json', 'Cross-Origin-Resource-Policy': 'same-origin' });
  res.end(JSON.stringify({ group: GROUP, leaves: log.length, size: log.length, root: tree.root, entries, next }));
  return true;
});

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(`${served.url}/bench/group.html`);
  if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('bench page is not cross-origin isolated');
  const threads = await page.evaluate(() => navigator.hardwareConcurrency);
  const ctx = { registrar, artifacts: '/artifacts', crs: 'test' };
  let seq = 0;
  const run = async (req: Record<string, unknown>) => {
    const r = await page.evaluate((x) => (window as never as { runGroup: (q: GroupRequest) => Promise<GroupReply & { wallMs: number }> }).runGroup(x), { ...req, seq: ++seq, ctx } as GroupRequest);
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
    return r;
  };
  const treeRun = await run({ op: 'tree', group: GROUP });
  const prove = (i: number) => {
    const v = { v: 1 as const, pollId: `${i.toString(16).padStart(2, '0')}${'ab'.repeat(15)}`, option: 0, createdAt: Date.now() };
    const scope = voteScope(v.pollId);
    const message = messageToField(encodeVote(v));
    return run({ op: 'prove', group: GROUP, secret, scope, message, threads }).then((r) => ({ ...r, item: { proof: r.result, scope, message, receivedAt: Date.now() } }));
  };
  const first = await prove(0);
  console.error(`first proof: ${first.ms.toFixed(0)} ms`);
  const warm: number[] = [];
  const items: Array<Record<string, unknown>> = [];
  for (let i = 1; i <= RUNS; i++) {
    const r = await prove(i);
    warm.push(r.ms);
    items.push(r.item);
    console.error(`run ${i}: ${r.ms.toFixed(0)} ms`);
  }
  // Each proof once (the worker caches verdicts per proof): the backend and key are warm from proving.
  const verifyMs: number[] = [];
  for (const item of items) {
    const v = await run({ op: 'verify', group: GROUP, items: [item] });
    const verdict = (v.result as Array<{ ok: boolean }>)[0]!;
    if (!verdict.ok) throw new Error(`a proof did not verify in the browser: ${JSON.stringify(verdict)}`);
    verifyMs.push(v.ms);
  }
  console.log(`browser: Chromium ${browser.version()}, headless, crossOriginIsolated, ${threads} threads`);
  console.log(`circuit: group, ${total} gates (dyadic ${dyadic})`);
  console.log(`tree of ${LEAVES} members rebuilt from the signed log in the browser: ${treeRun.ms.toFixed(0)} ms`);
  console.log(`first proof (artifact + CRS fetch, bb.js start, proof): ${first.ms.toFixed(0)} ms`);
  console.log(`proving in the worker (log re-sync, commitment, witness, proof, self-verify), median of ${RUNS}: ${median(warm).toFixed(0)} ms (${warm.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`verification of one proof in the worker (warm backend), median of ${RUNS}: ${median(verifyMs).toFixed(1)} ms`);
  console.log(`load average: ${load0.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end`);
} finally {
  await browser.close();
  served.close();
}
