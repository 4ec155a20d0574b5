import { Noir } from '@noir-lang/noir_js';
import { Engine } from '../../prover/src/lib/engine.ts';
import { staticArtifacts } from '../../prover/src/artifacts.ts';
import { generateTestCrs } from '../../prover/src/crs.ts';
self.onmessage = async () => {
  try {
    const t0 = performance.now();
    const { program, id, inputs } = await fetch('/square.json').then((r) => r.json());
    const engine = new Engine({ artifacts: staticArtifacts([{ name: 'square', id, program }]), testCrs: async (n) => generateTestCrs(n), threads: 2 });
    const c = await engine.circuit('square');
    const { witness } = await new Noir(program).execute(inputs);
    const t1 = performance.now();
    const proof = await engine.prove(c, 'test', witness);
    const t2 = performance.now();
    const ok = await engine.verify(c, 'test', proof);
    (self as any).postMessage({ ok, coiWorker: (self as any).crossOriginIsolated, witnessMs: t1 - t0, proveMs: t2 - t1, proofBytes: proof.length });
  } catch (e: any) { (self as any).postMessage({ error: String(e?.stack ?? e) }); }
};
