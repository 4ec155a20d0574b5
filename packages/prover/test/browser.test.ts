// The prover's browser path end to end in headless Chromium (cross-origin isolated, 2 bb.js
// threads): noir_js WASM initialised from URLs, the test CRS handed over as bytes (srsInitSrs), a
// real UltraHonk proof of the small test circuit. Node then verifies that proof, and both sides
// must compute the same verification key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { staticArtifacts } from '../src/artifacts.ts';
import { loadTestCrs } from '../src/crs-node.ts';
import { Engine } from '../src/lib/engine.ts';
import { runInChromium } from './lib/browser.ts';
import { compileSquare, squareInputs } from './lib/square.ts';

const ENTRY = `
import { Noir } from '@noir-lang/noir_js';
import { Engine } from '../../src/lib/engine.ts';
import { staticArtifacts } from '../../src/artifacts.ts';
import { initNoir } from '../../src/lib/platform-browser.ts';
const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const tob64 = (b) => { let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); };
globalThis.run = async ({ program, id, inputs, g1, g2 }) => {
  const engine = new Engine({
    artifacts: staticArtifacts([{ name: 'square', id, program }]),
    testCrs: async () => ({ g1: b64(g1), g2: b64(g2) }),
    threads: 2,
    initNoir: () => initNoir({ acvm: '/noir/acvm_js_bg.wasm', abi: '/noir/noirc_abi_wasm_bg.wasm' }),
  });
  try {
    const circuit = await engine.circuit('square');
    await engine.noirReady();
    const { witness } = await new Noir(program).execute(inputs);
    const proof = await engine.prove(circuit, 'test', witness);
    const vk = await engine.verificationKey(circuit, 'test');
    const wrong = await new Noir(program).execute({ ...inputs, square: '50' }).then(() => 'executed', () => 'refused');
    return { proof: tob64(proof), vk: tob64(vk), verified: await engine.verify(circuit, 'test', proof), wrong, isolated: crossOriginIsolated };
  } finally { await engine.destroy(); }
};`;

describe('prover in the browser (square test circuit)', () => {
  let node: Engine;
  let square: Awaited<ReturnType<typeof compileSquare>>;
  before(async () => {
    square = await compileSquare();
    node = new Engine({ artifacts: staticArtifacts([{ name: 'square', id: square.id, program: square.program }]), testCrs: loadTestCrs, threads: 2 });
  });
  after(() => node.destroy());

  it('proves in Chromium; Node verifies the proof and computes the same verification key', async () => {
    const circuit = await node.circuit('square');
    const { dyadic } = await node.sizes(circuit, 'test');
    const crs = await loadTestCrs(dyadic + 1);
    const out = await runInChromium<{ proof: string; vk: string; verified: boolean; wrong: string; isolated: boolean }>(ENTRY, {
      program: square.program,
      id: square.id,
      inputs: await squareInputs(11n),
      g1: Buffer.from(crs.g1.subarray(0, (dyadic + 1) * 64)).toString('base64'),
      g2: Buffer.from(crs.g2).toString('base64'),
    });
    assert.equal(out.isolated, true);
    assert.equal(out.verified, true);
    assert.equal(out.wrong, 'refused');
    const proof = new Uint8Array(Buffer.from(out.proof, 'base64'));
    assert.equal(await node.verify(circuit, 'test', proof), true);
    assert.deepEqual(Buffer.from(out.vk, 'base64'), Buffer.from(await node.verificationKey(circuit, 'test')));
    proof[40]! ^= 1; // a public input
    assert.equal(await node.verify(circuit, 'test', proof), false);
  });
});
