/**
 * `npm run bench:group`: the one-person group circuit on this machine (test CRS, 2 threads).
 * Prints gates (total, dyadic), witness time, proving time and CPU time (median of 5, precomputed key,
 * a full 20-level path and a 32-level one), verification time
 * (warm, median of 20), proof size and the load average (the machine is shared).
 */
import { loadavg } from 'node:os';
import { Noir } from '@noir-lang/noir_js';
import { NODE_TAG, buildGroupInputs, deriveCommitment, encodeVote, fieldToHex, generateIdentitySecret, messageToField, voteScope, type GroupMerkleProof } from '@veil/crypto';
import { poseidon2 } from '../../crypto/src/lib/poseidon2.ts';
import { nodeArtifacts } from '../src/artifacts-node.ts';
import { loadTestCrs } from '../src/crs-node.ts';
import { createBackend } from '../src/create-backend.ts';
import { GROUP_CIRCUIT } from '../src/artifacts.ts';
import { Engine } from '../src/lib/engine.ts';

const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;

/** A path of `depth` random siblings and the root it leads to (as a tree of ≥ 2^(depth-1)+1 leaves gives). */
async function path(secret: string, depth: number): Promise<GroupMerkleProof> {
  const hash = await poseidon2();
  const leaf = await deriveCommitment(secret);
  const siblings = Array.from({ length: depth }, generateIdentitySecret);
  const index = Math.floor(Math.random() * 2 ** depth);
  let node = BigInt(`0x${leaf}`);
  siblings.forEach((s, i) => {
    const sib = BigInt(`0x${s}`);
    node = Math.floor(index / 2 ** i) % 2 ? hash([NODE_TAG, sib, node]) : hash([NODE_TAG, node, sib]);
  });
  return { root: fieldToHex(node), leaf, index, depth, siblings };
}

const engine = new Engine({ artifacts: nodeArtifacts(), testCrs: loadTestCrs, threads: 2 });
const backend = await createBackend({ crs: 'test', threads: 2 });
try {
  const circuit = await engine.circuit(GROUP_CIRCUIT);
  const { total, dyadic } = await engine.sizes(circuit, 'test');
  const secret = generateIdentitySecret();
  const vote = { v: 1 as const, pollId: '00112233445566778899aabbccddeeff', option: 0, createdAt: Date.now() };
  const message = messageToField(encodeVote(vote));
  const rows: Array<[string, string]> = [
    ['circuit', `${circuit.name} ${circuit.id.slice(0, 16)}…`],
    ['gates (total)', String(total)],
    ['dyadic size', `${dyadic} (2^${Math.log2(dyadic)})`],
  ];
  await engine.verificationKey(circuit, 'test');
  for (const depth of [20, 32]) {
    const { inputs } = await buildGroupInputs({ secret, proof: await path(secret, depth), scope: voteScope(vote.pollId), message });
    const noir = new Noir(circuit.program as never);
    await noir.execute(inputs as never);
    let t0 = performance.now();
    const { witness } = await noir.execute(inputs as never);
    const witnessMs = ms(t0);
    await engine.prove(circuit, 'test', witness); // warm (SRS load)
    const times: number[] = [];
    const cpu: number[] = [];
    let out: Uint8Array = new Uint8Array();
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      const c0 = process.cpuUsage(); // whole process: includes bb.js's worker threads
      out = await engine.prove(circuit, 'test', witness);
      times.push(ms(t0));
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    // Whole API call: pre-checks, witness, proof and the self-verification proveGroup does.
    const api: number[] = [];
    const merkleProof = await path(secret, depth);
    for (let i = 0; i < 3; i++) {
      t0 = performance.now();
      await backend.proveGroup({ secret, merkleProof, scope: voteScope(vote.pollId), message });
      api.push(ms(t0));
    }
    await engine.verify(circuit, 'test', out);
    const vt: number[] = [];
    for (let i = 0; i < 20; i++) {
      t0 = performance.now();
      if (!(await engine.verify(circuit, 'test', out))) throw new Error('proof did not verify');
      vt.push(ms(t0));
    }
    rows.push(
      [`depth ${depth}: witness (noir_js)`, fmt(witnessMs)],
      [`depth ${depth}: proving, precomputed key (median of 5)`, `${fmt(median(times))} [${times.map((x) => x.toFixed(0)).join(', ')}]`],
      [`depth ${depth}: proving CPU time, all threads (median of 5)`, `${fmt(median(cpu))} (÷ 2 cores ≈ ${fmt(median(cpu) / 2)} wall on an idle machine)`],
      [`depth ${depth}: proveGroup end to end (median of 3)`, `${fmt(median(api))} [${api.map((x) => x.toFixed(0)).join(', ')}]`],
      [`depth ${depth}: verification, warm (median of 20)`, fmt(median(vt))],
      [`depth ${depth}: proof bytes`, `${out.length - 4 * 32} (+ 4 public inputs × 32 bytes)`],
    );
  }
  rows.push(['peak RSS', `${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`]);
  rows.push(['load average at the end (1 min)', loadavg()[0]!.toFixed(1)]);
  for (const [k, v] of rows) console.log(`${k.padEnd(52)} ${v}`);
} finally {
  await engine.destroy();
  await backend.destroy();
}
