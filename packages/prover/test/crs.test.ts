// The insecure test CRS: its points are successive powers of the published τ (checked with the
// pairing, independently of the generator's doubling chain), its id is stable, and it is only ever
// selected explicitly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bn254 } from '@noble/curves/bn254.js';
import { AZTEC_CRS_ID, generateTestCrs, getTestCrsId, resolveCrsKind, TEST_CRS_TAU, testCrsId } from '../src/crs.ts';

function g1At(g1: Uint8Array, i: number) {
  const hex = Buffer.from(g1.subarray(i * 64, i * 64 + 64)).toString('hex');
  return bn254.G1.Point.fromAffine({ x: BigInt(`0x${hex.slice(0, 64)}`), y: BigInt(`0x${hex.slice(64)}`) });
}

describe('test CRS', () => {
  const crs = generateTestCrs(4099); // crosses a normalisation batch boundary (4096)
  const r = bn254.fields.Fr.ORDER;

  it('holds [τ^i]G1 (pairing check e(P_i+1, G2) = e(P_i, [τ]G2)) and [τ]G2', () => {
    const hex = Buffer.from(crs.g2).toString('hex');
    const f = (k: number) => BigInt(`0x${hex.slice(k * 64, k * 64 + 64)}`);
    const tauG2 = bn254.G2.Point.fromAffine({ x: bn254.fields.Fp2.create({ c0: f(0), c1: f(1) }), y: bn254.fields.Fp2.create({ c0: f(2), c1: f(3) }) });
    assert.ok(tauG2.equals(bn254.G2.Point.BASE.multiply(TEST_CRS_TAU)));
    for (const i of [0, 1, 4095, 4096, 4097]) {
      const lhs = bn254.pairing(g1At(crs.g1, i + 1), bn254.G2.Point.BASE);
      const rhs = bn254.pairing(g1At(crs.g1, i), tauG2);
      assert.ok(bn254.fields.Fp12.eql(lhs, rhs), `point ${i + 1}`);
    }
    let s = 1n;
    for (let i = 0; i < 4097; i++) s = (s * TEST_CRS_TAU) % r;
    assert.ok(g1At(crs.g1, 4097).equals(bn254.G1.Point.BASE.multiply(s)));
  });

  it('has a stable id that depends only on τ', () => {
    assert.equal(testCrsId(crs), getTestCrsId());
    assert.match(getTestCrsId(), /^test-[0-9a-f]{64}$/);
    assert.equal(getTestCrsId(), testCrsId(generateTestCrs(2)));
    const other = { g1: crs.g1, g2: Uint8Array.from(crs.g2) };
    other.g2[127]! ^= 1;
    assert.notEqual(testCrsId(other), getTestCrsId());
  });

  it('is selected only by VEIL_CRS=test or an explicit option', () => {
    const saved = process.env.VEIL_CRS;
    try {
      delete process.env.VEIL_CRS;
      assert.equal(resolveCrsKind(), 'aztec');
      process.env.VEIL_CRS = '';
      assert.equal(resolveCrsKind(), 'aztec');
      process.env.VEIL_CRS = 'test';
      assert.equal(resolveCrsKind(), 'test');
      assert.equal(resolveCrsKind('aztec'), 'aztec');
      process.env.VEIL_CRS = 'TEST';
      assert.throws(() => resolveCrsKind(), TypeError);
      assert.throws(() => resolveCrsKind('insecure' as never), TypeError);
    } finally {
      if (saved === undefined) delete process.env.VEIL_CRS;
      else process.env.VEIL_CRS = saved;
    }
    assert.equal(AZTEC_CRS_ID, 'aztec-ignition');
  });
});
