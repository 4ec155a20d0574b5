// `npm run bench:uid`: UID derivations per second, three ways, each row saying which:
// - in process: the pure functions, client and node(s) in one thread (plus the client's share);
// - HTTP service throughput: what one single-key `veil uid serve` process answers per second;
// - HTTP end to end: the identity-service client (blind, attest, verify every DLEQ proof, combine,
//   unblind) against `veil uid serve` processes, single key and 3-of-5.
// Simulation evidence throughout. Prints one JSON object per figure.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulationProducer, type SimulationProducer } from '@veil/attest/producers/simulation';
import { parseSimulationRoot } from '@veil/attest/simulation-root';
import { toBase64, toHex } from '@veil/crypto/bytes';
import { blindInputs } from '../src/blind.ts';
import { evaluateBlinded } from '../src/evaluate.ts';
import { verifyPartial } from '../src/verify-partial.ts';
import { combinePartials } from '../src/combine.ts';
import { finalizeUids, finalizeVerifiedUids } from '../src/finalize.ts';
import { generateShares, groupFile } from '../src/generate-shares.ts';
import { parseUidGroup, type UidGroup } from '../src/share-file.ts';
import { createNodeVerifier } from '../src/verify-node.ts';
import { deriveEvaluateReportData } from '../src/report-data.ts';
import { deriveUids } from '../src/derive-uid.ts';
import { hexToBytes } from '@noble/hashes/utils.js';

const enc = new TextEncoder();
const inputs = (n: number, tag: string) => Array.from({ length: n }, (_, i) => enc.encode(`person ${tag} ${i}|1990-01-01|nl`));
const TOTAL = Number(process.env.UID_BENCH_N ?? 256);
// HTTP rows: more derivations, after warm-up rounds (the node processes start cold: JIT, WASM tier-up)
const HTTP_TOTAL = 4 * TOTAL;
const WARM_ROUNDS = 8;
const M_ID = 'a1'.repeat(32);
const M_UID = 'b2'.repeat(32);

function report(name: string, count: number, ms: number, extra: Record<string, unknown> = {}) {
  console.log(JSON.stringify({ bench: name, derivations: count, ms: Math.round(ms), perSecond: Math.round((count / ms) * 1000), ...extra }));
}

async function inProcess(t: number, n: number, batch: number) {
  const gen = generateShares({ threshold: t, nodes: Array.from({ length: n }, (_, i) => `n${i}`) });
  const shares = gen.shares.map((s) => ({ index: s.index, node: s.node, secretKey: hexToBytes(s.share!), publicKey: hexToBytes(gen.publicShares[s.index - 1]!.publicShare) }));
  let nodeMs = 0;
  const evaluate = (s: (typeof shares)[number], blinded: Uint8Array[]) => {
    const t0 = performance.now();
    const e = evaluateBlinded({ secretKey: s.secretKey, publicKey: s.publicKey, blinded });
    nodeMs += performance.now() - t0;
    return e;
  };
  const run = (xs: Uint8Array[]) => {
    const items = blindInputs(xs);
    const blinded = items.map((it) => it.blinded);
    if (t === 1) {
      const e = evaluate(shares[0]!, blinded);
      return finalizeVerifiedUids(items, e.evaluated, e.proof, shares[0]!.publicKey);
    }
    const partials = shares.slice(0, t).map((s) => {
      const e = evaluate(s, blinded);
      return { index: s.index, points: verifyPartial({ node: s.node, publicShare: s.publicKey, blinded, ...e }) };
    });
    return finalizeUids(items, combinePartials(partials, t));
  };
  run(inputs(batch, 'warm'));
  nodeMs = 0;
  const start = performance.now();
  for (let done = 0; done < TOTAL; done += batch) run(inputs(batch, `b${done}`));
  const total = performance.now() - start;
  const name = `in-process ${t === 1 ? 'single key' : `${t}-of-${n}`}, batch ${batch}`;
  report(name, TOTAL, total, { where: 'one thread: client + node(s)' });
  // Nodes are separate machines in deployment: the identity service's own share of the work.
  report(`${name}, client side only`, TOTAL, total - nodeMs, { where: 'blind + verify + combine + finalize', nodeMsPerDerivationPerNode: +(nodeMs / TOTAL / t).toFixed(2) });
}

// The UID nodes as deployed: each its own `veil uid serve` process (simulation producer), this
// process being the identity service. On this 2-core machine the client and the node(s) each get
// a core (five 3-of-5 nodes share them).
const VEIL = fileURLToPath(new URL('../../cli/bin/veil.mjs', import.meta.url));
const children: ChildProcess[] = [];

async function serveNode(root: string, name: string, caller: SimulationProducer, sharePath?: string) {
  const args = ['uid', 'serve', '--producer', 'simulation', '--port', '0', '--data', join(root, 'uid'), '--node', name, '--measurement', M_UID,
    '--caller-measurement', M_ID, '--allow-simulation', '--simulation-root', caller.rootPublicPath, ...(sharePath ? ['--share', sharePath] : [])];
  const child = spawn(process.execPath, [VEIL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const line = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) res(out.split('\n')[0]!);
    });
    child.once('exit', (code) => rej(new Error(`veil uid serve exited ${code}: ${err}`)));
  });
  return JSON.parse(line) as { url: string; node: string; index: number; publicShare: string; groupPublicKey: string; simulationRoot: string };
}

async function clientFor(group: UidGroup, caller: SimulationProducer, nodeRoot: string) {
  return {
    group,
    timeoutMs: 300_000,
    attestCaller: async (rd: Uint8Array) => ({ type: caller.type, evidence: await caller.evidence(rd) }),
    verifyNode: createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: { measurements: [M_UID], allowSimulation: true, simulationRoot: parseSimulationRoot(await readFile(nodeRoot, 'utf8')) } }),
  };
}

/** End to end: deriveUids (verify every proof, combine, unblind) with `inFlight` rounds at a time. */
async function endToEnd(label: string, client: Awaited<ReturnType<typeof clientFor>>, batch: number, inFlight: number, n: number) {
  for (let i = 0; i < WARM_ROUNDS; i++) await deriveUids({ ...client, inputs: inputs(batch, 'warm') });
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) {
      const at = next;
      next += batch;
      await deriveUids({ ...client, inputs: inputs(batch, `${label}${at}`) });
    }
  }));
  report(`HTTP end to end, ${label}, batch ${batch}, ${inFlight} round(s) in flight`, n, performance.now() - start, { where: 'identity-service client (this process) + `veil uid serve` process(es)' });
}

/**
 * The UID service's own throughput: a load generator with pre-blinded batches asks one node for
 * evaluations (challenge, caller evidence, evaluate) and only checks the answer's shape; the
 * client's proof checks are what the in-process "client side only" rows measure.
 */
async function serviceThroughput(node: { url: string }, caller: SimulationProducer, batch: number, inFlight: number) {
  const blinded = blindInputs(inputs(batch, 'svc')).map((it) => toHex(it.blinded));
  const round = async () => {
    const { nonce } = (await (await fetch(`${node.url}/uid/v1/challenge`)).json()) as { nonce: string };
    const evidence = await caller.evidence(deriveEvaluateReportData([hexToBytes(nonce)], blinded.map(hexToBytes)));
    const res = await fetch(`${node.url}/uid/v1/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ v: 1, nonces: [nonce], blindedElements: blinded, evidenceType: caller.type, evidence: toBase64(evidence) }) });
    const body = (await res.json()) as { evaluatedElements?: string[] };
    if (res.status !== 200 || body.evaluatedElements?.length !== batch) throw new Error(`evaluate: HTTP ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  };
  for (let i = 0; i < WARM_ROUNDS; i++) await round();
  const n = HTTP_TOTAL;
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) {
      next += batch;
      await round();
    }
  }));
  report(`HTTP service throughput, single key, batch ${batch}, ${inFlight} request(s) in flight`, n, performance.now() - start, { where: 'one `veil uid serve` process; load generator in this process (no proof checks)' });
}

console.log(JSON.stringify({ machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`, node: process.version, total: TOTAL }));
{
  // The unit everything is made of: one constant-time scalar multiplication of a fresh point,
  // libsodium (what the service uses) and noble (the reference the tests compare against).
  const { mul, mulBase, randomScalar } = await import('../src/lib/group.ts');
  const { ristretto255 } = await import('@noble/curves/ed25519.js');
  const pts = Array.from({ length: 256 }, () => mulBase(randomScalar()));
  const ks = pts.map(() => randomScalar());
  let start = performance.now();
  for (const [i, p] of pts.entries()) mul(ks[i]!, p);
  console.log(JSON.stringify({ bench: 'ristretto255 scalar multiplication (libsodium WASM, constant time)', msEach: +((performance.now() - start) / pts.length).toFixed(3) }));
  const np = pts.slice(0, 32).map((p) => ristretto255.Point.fromBytes(p));
  start = performance.now();
  for (const [i, p] of np.entries()) p.multiply(ristretto255.Point.Fn.fromBytes(ks[i]!));
  console.log(JSON.stringify({ bench: 'ristretto255 scalar multiplication (noble 2.4.0, reference only)', msEach: +((performance.now() - start) / np.length).toFixed(3) }));
}
const root = await mkdtemp(join(tmpdir(), 'veil-uid-bench-'));
try {
  await inProcess(1, 1, 1);
  await inProcess(1, 1, 64);
  await inProcess(3, 5, 1);
  await inProcess(3, 5, 64);
  const caller = await createSimulationProducer({ dataDir: join(root, 'identity'), measurement: M_ID });
  const single = await serveNode(root, 'uid', caller);
  const singleClient = await clientFor(parseUidGroup({ v: 1, type: 'veil-uid-group', threshold: 1, groupPublicKey: single.groupPublicKey,
    nodes: [{ name: single.node, index: single.index, publicShare: single.publicShare, url: single.url }] }), caller, single.simulationRoot);
  await serviceThroughput(single, caller, 64, 4);
  await endToEnd('single key', singleClient, 1, 1, TOTAL);
  await endToEnd('single key', singleClient, 64, 2, HTTP_TOTAL);
  const gen = generateShares({ threshold: 3, nodes: Array.from({ length: 5 }, (_, i) => `t${i}`) });
  // one simulation install (data dir) for all nodes, created by the single-key node above
  const nodes = await Promise.all(gen.shares.map(async (s) => {
    const sharePath = join(root, `${s.node}.json`);
    await writeFile(sharePath, JSON.stringify(s), { mode: 0o600 });
    return serveNode(root, s.node, caller, sharePath);
  }));
  const group = parseUidGroup(groupFile(gen, Object.fromEntries(nodes.map((x) => [x.node, x.url]))));
  await endToEnd('3-of-5', await clientFor(group, caller, nodes[0]!.simulationRoot), 64, 2, TOTAL);
} finally {
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); }) : undefined)));
  await rm(root, { recursive: true, force: true });
}
