/**
 * `npm run bench:prove`: each membership circuit's cost on this machine with the test CRS, one
 * variant per child process (so that peak RSS is the variant's own): gate count (total, dyadic,
 * headroom under 2^17), test-CRS generation time, witness time, proving time (median of 3, with the
 * precomputed key — and once with the key recomputed, as bb.js's UltraHonkBackend does),
 * verification time (warm backend, precomputed key), peak RSS and proof bytes; then the gates per
 * component of each variant (`circuits/scripts/components.ts`).
 * `-- --variant NAME` runs one variant in this process; `-- --no-components` skips the gate table;
 * `-- --square` runs the prover's small test circuit instead (a smoke run of this script).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Noir } from '@noir-lang/noir_js';
import { aVariant } from '@veil/crypto';
import { generateTestCrs } from '../src/crs.ts';
import { loadTestCrs } from '../src/crs-node.ts';
import { nodeArtifacts } from '../src/artifacts-node.ts';

import { Engine } from '../src/lib/engine.ts';
import { staticArtifacts, type ArtifactLoader } from '../src/artifacts.ts';

interface Workload {
  name: string;
  artifacts: ArtifactLoader;
  inputs: () => Promise<Record<string, unknown>>;
}

async function squareWorkload(): Promise<Workload> {
  const { compileSquare, squareInputs } = await import('../test/lib/square.ts');
  const { program, id } = await compileSquare();
  return { name: 'square', artifacts: staticArtifacts([{ name: 'square', id, program }]), inputs: () => squareInputs(7n) };
}

async function membershipWorkload(variant: string): Promise<Workload> {
  const { membershipInputs } = await import('./membership-inputs.ts');
  const artifacts = nodeArtifacts();
  const info = (await artifacts.circuits()).find((c) => c.variant === variant && c.acceptedUntil === undefined);
  if (!info) throw new TypeError(`no current circuit for variant ${variant} in circuits.json`);
  return { name: info.name, artifacts, inputs: () => membershipInputs(aVariant(variant)) };
}

const at = process.argv.indexOf('--variant');
if (at < 0 && !process.argv.includes('--square')) {
  // Every variant with a current circuit, each in its own process; then the component table.
  const variants = (await nodeArtifacts().circuits()).filter((c) => c.variant !== undefined && c.acceptedUntil === undefined).map((c) => c.variant!);
  for (const variant of variants) {
    console.log(`\n== variant ${variant}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--variant', variant], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  if (!process.argv.includes('--no-components')) {
    const { COMPONENTS, STAGES, componentGates } = await import('../../../circuits/scripts/components.ts');
    console.log(`\n== gates per component (${COMPONENTS.join(' + ')}, added in this order)`);
    console.log(['variant', ...COMPONENTS, 'total', 'headroom under 2^17'].join(' | '));
    for (const variant of variants) {
      if (!STAGES[variant]) {
        console.log(`${variant} | (no component stages in circuits/scripts/components.ts)`);
        continue;
      }
      const g = await componentGates(variant);
      console.log([variant, ...COMPONENTS.map((c) => String(g.components[c])), String(g.total), String(2 ** 17 - g.total)].join(' | '));
    }
  }
  process.exit(0);
}

const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;

const work = process.argv.includes('--square') ? await squareWorkload() : await membershipWorkload(process.argv[at + 1] ?? '');
const engine = new Engine({ artifacts: work.artifacts, testCrs: loadTestCrs, threads: 2 });
try {
  const circuit = await engine.circuit(work.name);
  const { total, dyadic } = await engine.sizes(circuit, 'test');

  let t0 = performance.now();
  generateTestCrs(dyadic + 1);
  const crsMs = ms(t0);

  const inputs = await work.inputs();
  const noir = new Noir(circuit.program as never);
  await noir.execute(inputs as never); // warm-up (wasm init)
  t0 = performance.now();
  const { witness } = await noir.execute(inputs as never);
  const witnessMs = ms(t0);

  await engine.verificationKey(circuit, 'test'); // precomputed (or loaded) once
  const proveTimes: number[] = [];
  const proveCpu: number[] = [];
  let proof: Uint8Array = new Uint8Array();
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    const c0 = process.cpuUsage(); // whole process: includes bb.js's worker threads
    proof = await engine.prove(circuit, 'test', witness);
    proveTimes.push(ms(t0));
    const c = process.cpuUsage(c0);
    proveCpu.push((c.user + c.system) / 1000);
  }
  // What bb.js's UltraHonkBackend.generateProof adds on every call: recomputing the key.
  const fresh = new Engine({ artifacts: staticArtifacts([{ name: circuit.name, id: circuit.id, program: circuit.program }]), testCrs: loadTestCrs, threads: 2 });
  let vkMs: number;
  try {
    const c = await fresh.circuit(circuit.name);
    await fresh.prove(c, 'test', witness); // loads the SRS
    t0 = performance.now();
    await fresh.verificationKey(c, 'test');
    vkMs = ms(t0);
  } finally {
    await fresh.destroy();
  }

  await engine.verify(circuit, 'test', proof); // warm
  const verifyTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    if (!(await engine.verify(circuit, 'test', proof))) throw new Error('proof did not verify');
    verifyTimes.push(ms(t0));
  }
  const publicFields = countPublicFields(circuit.program.abi.parameters);
  const rows: Array<[string, string]> = [
    ['circuit', `${circuit.name} ${circuit.id.slice(0, 16)}…`],
    ['gates (total)', String(total)],
    ['dyadic size', `${dyadic} (2^${Math.log2(dyadic)})`],
    ['headroom under 2^17', String(2 ** 17 - total)],
    ['test CRS generation', `${fmt(crsMs)} (${dyadic + 1} points)`],
    ['witness (noir_js)', fmt(witnessMs)],
    ['proving, precomputed key (median of 3)', `${fmt(median(proveTimes))} [${proveTimes.map((x) => x.toFixed(0)).join(', ')}]`],
    ['proving CPU time, all threads (median of 3)', `${fmt(median(proveCpu))} (÷ 2 cores ≈ ${fmt(median(proveCpu) / 2)} wall on an idle machine)`],
    ['verification-key computation (skipped)', fmt(vkMs)],
    ['verification, warm, precomputed key (median of 5)', fmt(median(verifyTimes))],
    ['proof bytes (public inputs excluded)', `${proof.length - 32 * publicFields} (+ ${publicFields} public-input fields × 32 bytes)`],
    ['peak RSS', `${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`],
  ];
  rows.push(['load average at the end (1 min)', (await import('node:os')).loadavg()[0]!.toFixed(1)]);
  for (const [k, v] of rows) console.log(`${k.padEnd(52)} ${v}`);
} finally {
  await engine.destroy();
}

/** Number of field elements the public parameters flatten to (ABI types: field, integer, array, string, struct). */
function countPublicFields(params: Array<{ visibility: string; type: unknown }>): number {
  const size = (t: any): number => {
    switch (t.kind) {
      case 'array':
        return t.length * size(t.type);
      case 'string':
        return t.length;
      case 'struct':
        return t.fields.reduce((n: number, f: any) => n + size(f.type), 0);
      case 'tuple':
        return t.fields.reduce((n: number, f: any) => n + size(f), 0);
      default:
        return 1;
    }
  };
  return params.filter((p) => p.visibility === 'public').reduce((n, p) => n + size(p.type), 0);
}
