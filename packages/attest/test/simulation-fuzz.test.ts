// Property tests for the producer-side parsers: arbitrary input never escapes as anything but a
// VeilError with the documented code (no TypeError, RangeError or hang from untrusted bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { p256 } from '@noble/curves/nist.js';
import { isVeilError } from '@veil/crypto';
import { verifySimulationEvidence } from '../src/simulation-verify.ts';
import { signSimulationEvidence } from '../src/simulation-evidence.ts';
import { parseSimulationRoot } from '../src/simulation-root.ts';
import { seal, unseal } from '../src/seal.ts';
import type { EvidenceProducer } from '../src/producers/producer.ts';

const sk = p256.utils.randomSecretKey();
const root = p256.getPublicKey(sk, false);
const genuine = signSimulationEvidence({ rootSecretKey: sk, measurement: new Uint8Array(32).fill(7), reportData: new Uint8Array(64).fill(1) });
const producer: EvidenceProducer = {
  type: 'sgx',
  simulated: false,
  measurement: '07'.repeat(32),
  evidence: async () => new Uint8Array(0),
  sealKey: async () => new Uint8Array(16).fill(9),
};

const expectCode = (codes: RegExp) => (e: unknown) => isVeilError(e) && codes.test(e.code);

test('fuzz: arbitrary bytes as simulation evidence', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.uint8Array({ minLength: 204, maxLength: 204 }).map((b) => {
      b.set(genuine.subarray(0, 12)); // right magic, version and flags: reach the signature check
      return b;
    })), (bytes) => {
      assert.throws(() => verifySimulationEvidence(bytes, { allowSimulation: true, simulationRoot: root }), expectCode(/^ERR_SIMULATION_(MALFORMED|ROOT_MISMATCH|SIGNATURE)$/));
    }),
    { numRuns: 500 },
  );
});

test('fuzz: random mutations of genuine simulation evidence', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(genuine.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
      const t = genuine.slice();
      for (const [i, x] of edits) t[i]! ^= x;
      assert.throws(() => verifySimulationEvidence(t, { allowSimulation: true, simulationRoot: root }), expectCode(/^ERR_SIMULATION_/));
    }),
    { numRuns: 300 },
  );
});

test('fuzz: arbitrary blobs never unseal', async () => {
  const blob = await seal(new Uint8Array([1, 2, 3]), producer);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        // plausible headers with random tails
        fc.uint8Array({ minLength: 0, maxLength: 120 }).map((tail) => new Uint8Array([...blob.subarray(0, 7 + 32), ...tail])),
      ),
      async (bytes) => {
        await assert.rejects(unseal(bytes, producer), expectCode(/^ERR_UNSEAL$/));
      },
    ),
    { numRuns: 300 },
  );
});

test('fuzz: arbitrary JSON as a simulation root file', () => {
  fc.assert(
    fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
      assert.throws(() => parseSimulationRoot(text), expectCode(/^ERR_SIMULATION_ROOT_INVALID$/));
    }),
    { numRuns: 500 },
  );
});
