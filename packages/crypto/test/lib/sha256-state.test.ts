// FIPS 180-4 midstates: resuming from sha256PrefixState must reproduce node:crypto and @noble/hashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { sha256PrefixState, sha256FromState, SHA256_IV } from '../../src/index.ts';

const nodeSha = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());

test('empty prefix gives the IV', () => {
  assert.deepEqual(Array.from(sha256PrefixState(new Uint8Array(0))), SHA256_IV);
});

test('prefix state + remainder equals the full-message digest (node:crypto, noble)', () => {
  for (const plen of [0, 64, 128, 640, 1024]) {
    for (const rlen of [0, 1, 55, 56, 63, 64, 65, 119, 120, 300]) {
      const msg = randomBytes(plen + rlen);
      const state = sha256PrefixState(msg.subarray(0, plen));
      const got = sha256FromState(state, plen, msg.subarray(plen));
      assert.deepEqual(got, nodeSha(msg), `prefix ${plen}, rest ${rlen}`);
      assert.deepEqual(got, sha256(msg));
    }
  }
});

test('FIPS 180-4 "abc" vector through the compression function', () => {
  const abc = new TextEncoder().encode('abc');
  assert.equal(
    Buffer.from(sha256FromState(sha256PrefixState(new Uint8Array(0)), 0, abc)).toString('hex'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});

test('caller mistakes throw TypeError', () => {
  assert.throws(() => sha256PrefixState(new Uint8Array(63)), TypeError);
  assert.throws(() => sha256PrefixState([1, 2] as unknown as Uint8Array), TypeError);
  assert.throws(() => sha256FromState(new Uint32Array(7), 0, new Uint8Array(0)), TypeError);
  assert.throws(() => sha256FromState(new Uint32Array(8), 32, new Uint8Array(0)), TypeError);
});
