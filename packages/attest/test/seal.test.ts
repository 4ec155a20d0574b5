import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSealedMeasurement, seal, unseal } from '../src/seal.ts';
import { createSimulationProducer } from '../src/producers/simulation.ts';
import type { EvidenceProducer } from '../src/producers/producer.ts';

const M = '11'.repeat(32);
const M2 = '22'.repeat(32);
const data = new TextEncoder().encode('postgres://veil:s3cret@db/veil');

/** A producer with a fixed 16-byte hardware-style key, as Gramine would give. */
function hw(measurement: string, key: Uint8Array): EvidenceProducer {
  return {
    type: 'sgx',
    simulated: false,
    measurement,
    evidence: async () => new Uint8Array(0),
    sealKey: async () => key.slice(),
  };
}

test('seal: round trip under the same measurement (simulation and hardware-style keys)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-seal-'));
  try {
    const sim = await createSimulationProducer({ dataDir: dir, measurement: M });
    assert.deepEqual(await unseal(await seal(data, sim), sim), data);
    const again = await createSimulationProducer({ dataDir: dir, measurement: M });
    assert.deepEqual(await unseal(await seal(data, sim), again), data, 'survives a restart of the same build');
    const other = await createSimulationProducer({ dataDir: dir, measurement: M2 });
    await assert.rejects(unseal(await seal(data, sim), other), { code: 'ERR_UNSEAL' }, 'same install, other build');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const key = crypto.getRandomValues(new Uint8Array(16));
  const p = hw(M, key);
  assert.deepEqual(await unseal(await seal(data, p), p), data);
  assert.deepEqual(await unseal(await seal(new Uint8Array(0), p), p), new Uint8Array(0));
});

test('seal: each blob is fresh (random salt and IV)', async () => {
  const p = hw(M, new Uint8Array(16).fill(3));
  const a = await seal(data, p);
  const b = await seal(data, p);
  assert.notDeepEqual(a, b);
});

test('seal: another measurement fails, even with the same raw key', async () => {
  const key = crypto.getRandomValues(new Uint8Array(16));
  const blob = await seal(data, hw(M, key));
  await assert.rejects(unseal(blob, hw(M2, key)), { code: 'ERR_UNSEAL' });
  // rewriting the recorded measurement does not help: it is AAD and a KDF input
  const forged = blob.slice();
  forged.set(new Uint8Array(32).fill(0x22), 7);
  await assert.rejects(unseal(forged, hw(M2, key)), { code: 'ERR_UNSEAL' });
});

test('readSealedMeasurement: names the sealing build, unauthenticated; unseal says both measurements', async () => {
  const key = crypto.getRandomValues(new Uint8Array(16));
  const blob = await seal(data, hw(M, key));
  assert.equal(readSealedMeasurement(blob), M);
  assert.equal(readSealedMeasurement(await seal(data, hw('ab'.repeat(16), key))), 'ab'.repeat(16));
  await assert.rejects(unseal(blob, hw(M2, key)), (e: Error & { code?: string }) => e.code === 'ERR_UNSEAL' && e.message.includes(M) && e.message.includes(M2));
  // The header is not authenticated here: a rewritten measurement is read back as written, and unseal still refuses it.
  const forged = blob.slice();
  forged.set(new Uint8Array(32).fill(0x22), 7);
  assert.equal(readSealedMeasurement(forged), M2);
  await assert.rejects(unseal(forged, hw(M2, key)), { code: 'ERR_UNSEAL' });
  for (const bad of [new Uint8Array(0), blob.slice(0, 7 + 32 + 32 + 12 + 15), Uint8Array.from([0x56, 0x53, 0x45, 0x4c, 2, 1, 32])]) {
    assert.throws(() => readSealedMeasurement(bad), { code: 'ERR_UNSEAL' });
  }
  assert.throws(() => readSealedMeasurement('x' as unknown as Uint8Array), TypeError);
});

test('seal: another key or purpose fails', async () => {
  const blob = await seal(data, hw(M, new Uint8Array(16).fill(1)), { purpose: 'db' });
  await assert.rejects(unseal(blob, hw(M, new Uint8Array(16).fill(2)), { purpose: 'db' }), { code: 'ERR_UNSEAL' });
  await assert.rejects(unseal(blob, hw(M, new Uint8Array(16).fill(1)), { purpose: 'tls' }), { code: 'ERR_UNSEAL' });
  await assert.rejects(unseal(blob, hw(M, new Uint8Array(16).fill(1))), { code: 'ERR_UNSEAL' });
  assert.deepEqual(await unseal(blob, hw(M, new Uint8Array(16).fill(1)), { purpose: 'db' }), data);
});

test('seal: every single-byte tamper fails', async () => {
  const p = hw(M, new Uint8Array(16).fill(5));
  const blob = await seal(data, p);
  for (let i = 0; i < blob.length; i++) {
    const t = blob.slice();
    t[i]! ^= 0x01;
    await assert.rejects(unseal(t, p), { code: 'ERR_UNSEAL' }, `offset ${i}`);
  }
});

test('seal: every truncation fails, and trailing bytes fail', async () => {
  const p = hw(M, new Uint8Array(16).fill(5));
  const blob = await seal(data, p);
  for (let n = 0; n < blob.length; n++) {
    await assert.rejects(unseal(blob.slice(0, n), p), { code: 'ERR_UNSEAL' }, `length ${n}`);
  }
  const longer = new Uint8Array(blob.length + 1);
  longer.set(blob);
  await assert.rejects(unseal(longer, p), { code: 'ERR_UNSEAL' });
});

test('seal: caller mistakes are TypeErrors', async () => {
  const p = hw(M, new Uint8Array(16));
  await assert.rejects(seal('x' as unknown as Uint8Array, p), TypeError);
  await assert.rejects(seal(data, hw('zz', new Uint8Array(16))), TypeError);
  await assert.rejects(seal(data, hw(M, new Uint8Array(8))), TypeError);
  await assert.rejects(seal(data, p, { purpose: '' }), TypeError);
});
