import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nonce, epkToFields } from '../src/nonce.ts';
import { generateEphemeralKey, bytesToHex, hexToBytes } from '../src/generate-ephemeral-key.ts';

test('nonce is 64 lowercase hex digits, deterministic, and binds every input', async () => {
  const { publicKey } = generateEphemeralKey();
  const n = await nonce(publicKey, 5n, 1000);
  assert.match(n, /^[0-9a-f]{64}$/);
  assert.equal(await nonce(publicKey, 5n, 1000n), n);
  assert.equal(await nonce(publicKey, new Uint8Array([5]), 1000), n);
  assert.notEqual(await nonce(publicKey, 6n, 1000), n);
  assert.notEqual(await nonce(publicKey, 5n, 1001), n);
  const flipped = publicKey.slice();
  flipped[31]! ^= 1; // the low bit of epk_lo
  assert.notEqual(await nonce(flipped, 5n, 1000), n);
  const high = publicKey.slice();
  high[0]! ^= 0x80; // the top bit of epk_hi
  assert.notEqual(await nonce(high, 5n, 1000), n);
});

test('epkToFields splits the key into big-endian 128-bit halves', () => {
  const epk = hexToBytes('ff'.repeat(16) + '00'.repeat(15) + '01');
  assert.deepEqual(epkToFields(epk), [(1n << 128n) - 1n, 1n]);
  assert.equal(bytesToHex(epk).length, 64);
});

test('nonce rejects a salt outside the field and malformed inputs with TypeError', async () => {
  const { publicKey } = generateEphemeralKey();
  const r = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
  await assert.rejects(nonce(publicKey, r, 1), TypeError);
  await assert.rejects(nonce(publicKey, -1n, 1), TypeError);
  await assert.rejects(nonce(publicKey.subarray(0, 31), 1n, 1), TypeError);
  await assert.rejects(nonce(publicKey, 1n, 2 ** 64), TypeError);
  await assert.rejects(nonce(publicKey, 1n, -1), TypeError);
});
