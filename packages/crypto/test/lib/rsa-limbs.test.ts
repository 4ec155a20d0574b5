// Limb encoding for circuit inputs: round trips, bounds, and caller mistakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { toLimbs, fromLimbs } from '../../src/index.ts';

test('round trips 2048-bit values as 18 x 120-bit limbs, little-endian', () => {
  for (let i = 0; i < 20; i++) {
    const x = BigInt('0x' + randomBytes(256).toString('hex'));
    const limbs = toLimbs(x);
    assert.equal(limbs.length, 18);
    for (const l of limbs) assert.ok(BigInt(l) < 1n << 120n);
    assert.equal(fromLimbs(limbs), x);
  }
  assert.deepEqual(toLimbs((1n << 120n) + 5n, 2), ['0x5', '0x1']);
  assert.equal(fromLimbs(['5', '0x1'], 120), (1n << 120n) + 5n);
  assert.deepEqual(toLimbs(0n, 3, 8), ['0x0', '0x0', '0x0']);
});

test('the largest value that fits is accepted, one more is refused', () => {
  const max = (1n << 2160n) - 1n;
  assert.equal(fromLimbs(toLimbs(max)), max);
  assert.throws(() => toLimbs(max + 1n), TypeError);
});

test('caller mistakes throw TypeError', () => {
  assert.throws(() => toLimbs(-1n), TypeError);
  assert.throws(() => toLimbs(5 as unknown as bigint), TypeError);
  assert.throws(() => toLimbs(1n, 0), TypeError);
  assert.throws(() => toLimbs(1n, 18, 0), TypeError);
  assert.throws(() => toLimbs(1n, 18, 249), TypeError);
  assert.throws(() => fromLimbs([]), TypeError);
  assert.throws(() => fromLimbs(['0x' + (1n << 120n).toString(16)]), TypeError);
  assert.throws(() => fromLimbs(['-1']), TypeError);
  assert.throws(() => fromLimbs(['12abc']), TypeError);
  assert.throws(() => fromLimbs([-1n]), TypeError);
});
