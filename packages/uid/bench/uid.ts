// `npm run bench:uid`: UID derivations per second — single key and 3-of-5, in process (the pure
// functions, one thread) and over HTTP (real UID nodes on 127.0.0.1 in this process, simulation
// evidence, the identity-service client with batching). Prints one JSON object per figure.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { blindInputs } from '../src/blind.ts';
import { evaluateBlinded } from '../src/evaluate.ts';
import { verifyPartial } from '../src/verify-partial.ts';
import { combinePartials } from '../src/combine.ts';
import { finalizeUids, finalizeVerifiedUids } from '../src/finalize.ts';
import { generateShares, groupFile } from '../src/generate-shares.ts';
import { parseUidGroup } from '../src/share-file.ts';
import { runUidService, type UidServiceHandle } from '../src/uid-service.ts';
import { createNodeVerifier } from '../src/verify-node.ts';
import { deriveUids } from '../src/derive-uid.ts';
import { hexToBytes } from '@noble/hashes/utils.js';

const enc = new TextEncoder();
const inputs = (n: number, tag: string) => Array.from({ length: n }, (_, i) => enc.encode(`person ${tag} ${i}|1990-01-01|nl`));
const TOTAL = Number(process.env.UID_BENCH_N ?? 256);

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

let runs = 0;
async function overHttp(t: number, n: number, batch: number, root: string) {
  const run = ++runs;
  const caller = await createSimulationProducer({ dataDir: join(root, 'identity'), measurement: 'a1'.repeat(32) });
  const nodeProducer = await createSimulationProducer({ dataDir: join(root, 'uid'), measurement: 'b2'.repeat(32) });
  const gen = generateShares({ threshold: t, nodes: Array.from({ length: n }, (_, i) => `h${run}-${i}`) });
  const nodes: UidServiceHandle[] = [];
  for (const s of gen.shares) {
    const sharePath = join(root, `${s.node}.json`);
    await writeFile(sharePath, JSON.stringify(s), { mode: 0o600 });
    nodes.push(await runUidService({ producer: nodeProducer, dataDir: join(root, s.node), sharePath, warn: () => {}, callers: { measurements: ['a1'.repeat(32)], allowSimulation: true, simulationRoot: caller.rootPublicKey } }));
  }
  const group = parseUidGroup(groupFile(gen, Object.fromEntries(nodes.map((x) => [x.node, x.url]))));
  const client = {
    group,
    timeoutMs: 300_000, // all nodes share this process's one thread here
    attestCaller: async (rd: Uint8Array) => ({ type: caller.type, evidence: await caller.evidence(rd) }),
    verifyNode: createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: { measurements: ['b2'.repeat(32)], allowSimulation: true, simulationRoot: nodeProducer.rootPublicKey } }),
  };
  await deriveUids({ ...client, inputs: inputs(batch, 'warm') });
  const start = performance.now();
  for (let done = 0; done < TOTAL; done += batch) await deriveUids({ ...client, inputs: inputs(batch, `h${done}`) });
  report(`HTTP ${t === 1 ? 'single key' : `${t}-of-${n}`}, batch ${batch}`, TOTAL, performance.now() - start, { where: `client and ${n} node(s) in one process` });
  await Promise.all(nodes.map((x) => x.close()));
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
  await overHttp(1, 1, 1, root);
  await overHttp(1, 1, 64, root);
  await overHttp(3, 5, 64, root);
} finally {
  await rm(root, { recursive: true, force: true });
}
