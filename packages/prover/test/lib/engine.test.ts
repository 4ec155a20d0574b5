// Real UltraHonk proofs over the prover's small test circuit with the test CRS: prove, verify with
// the precomputed key (also in a fresh engine that holds no proving SRS), and the ways that must fail.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Noir } from '@noir-lang/noir_js';
import { staticArtifacts } from '../../src/artifacts.ts';
import { loadTestCrs } from '../../src/crs-node.ts';
import { Engine, type LoadedCircuit } from '../../src/lib/engine.ts';
import { compileSquare, squareInputs } from './square.ts';

describe('engine (square test circuit, test CRS)', () => {
  let engine: Engine;
  let circuit: LoadedCircuit;
  let proof: Uint8Array;
  let program: Awaited<ReturnType<typeof compileSquare>>['program'];
  let id: string;

  before(async () => {
    ({ program, id } = await compileSquare());
    engine = new Engine({ artifacts: staticArtifacts([{ name: 'square', id, program }]), testCrs: loadTestCrs, threads: 2 });
    circuit = await engine.circuit('square');
    const { witness } = await new Noir(program as never).execute(await squareInputs(7n));
    proof = await engine.prove(circuit, 'test', witness);
  });
  after(() => engine.destroy());

  it('proves and verifies with the precomputed verification key', async () => {
    const { total, dyadic } = await engine.sizes(circuit, 'test');
    assert.ok(total > 0 && total <= dyadic && (dyadic & (dyadic - 1)) === 0);
    assert.equal(await engine.verify(circuit, 'test', proof), true);
  });

  it('lays out the public inputs first, in ABI order', async () => {
    const inputs = await squareInputs(7n);
    assert.equal(BigInt(`0x${Buffer.from(proof.subarray(0, 32)).toString('hex')}`), BigInt(inputs.square));
    assert.equal(BigInt(`0x${Buffer.from(proof.subarray(32, 64)).toString('hex')}`), BigInt(inputs.digest));
  });

  it('rejects a tampered public input', async () => {
    const bad = Uint8Array.from(proof);
    bad[31]! ^= 1;
    assert.equal(await engine.verify(circuit, 'test', bad), false);
  });

  it('rejects tampered proof bytes', async () => {
    for (const at of [64 + 16 * 32 + 31, proof.length - 1]) {
      const bad = Uint8Array.from(proof);
      bad[at]! ^= 1;
      const ok = await engine.verify(circuit, 'test', bad).catch(() => false);
      assert.equal(ok, false, `byte ${at}`);
    }
  });

  it('verifies in a fresh engine from the stored key alone (no program, no proving SRS)', async () => {
    const vk = await engine.verificationKey(circuit, 'test');
    const fresh = new Engine({
      artifacts: staticArtifacts([{ name: 'square', id, keys: { [engine.crsId('test')]: vk } }]),
      testCrs: async () => assert.fail('verifying must not need the proving CRS'),
      threads: 1,
    });
    try {
      assert.equal(await fresh.verify({ name: 'square', id }, 'test', proof), true);
    } finally {
      await fresh.destroy();
    }
  });

  it('a retired version of a name verifies from its key alone and is never loaded as a program', async () => {
    const vk = await engine.verificationKey(circuit, 'test');
    const until = '2999-01-01T00:00:00.000Z';
    let fetched = 0;
    // Listed first on purpose: the current circuit of the name is the other entry.
    const fresh = new Engine({
      artifacts: staticArtifacts([
        { name: 'square', id, acceptedUntil: until, keys: { [engine.crsId('test')]: vk } },
        { name: 'square', id: 'ee'.repeat(32), program: async () => (fetched++, program) },
      ]),
      testCrs: async () => assert.fail('verifying must not need the proving CRS'),
      threads: 1,
    });
    try {
      assert.equal(await fresh.verify({ name: 'square', id, acceptedUntil: until }, 'test', proof), true);
      // A retired id without a stored key cannot be recomputed (no program): refused, nothing fetched.
      await assert.rejects(fresh.verificationKey({ name: 'square', id: 'dd'.repeat(32), acceptedUntil: until }, 'test'), /retired/);
      assert.equal(fetched, 0);
      // What proves is the current circuit of the name (here its program does not match its id).
      await assert.rejects(fresh.circuit('square'), /expects eeee/);
      assert.equal(fetched, 1);
    } finally {
      await fresh.destroy();
    }
  });

  it('refuses a program whose hash is not the expected circuit id', async () => {
    const wrong = new Engine({ artifacts: staticArtifacts([{ name: 'square', id: '00'.repeat(32), program }]), testCrs: loadTestCrs });
    try {
      await assert.rejects(wrong.circuit('square'), /expects 0000/);
    } finally {
      await wrong.destroy();
    }
  });
});
