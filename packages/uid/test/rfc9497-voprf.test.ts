// RFC 9497 Appendix A.1.2 (ristretto255-SHA512, VOPRF): our blind / evaluate / finalize paths on
// libsodium reproduce the RFC's blinded elements, evaluations, proofs and outputs byte for byte;
// on random inputs they agree with @noble/curves' independent implementation (the reference);
// and libsodium's edge cases (identity, non-canonical encodings, unreduced scalars) are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { ristretto255, ristretto255_hasher, ristretto255_oprf } from '@noble/curves/ed25519.js';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { blindInputs } from '../src/blind.ts';
import { evaluateBlinded } from '../src/evaluate.ts';
import { finalizeUids, finalizeVerifiedUids } from '../src/finalize.ts';
import { verifyPartial } from '../src/verify-partial.ts';
import { combinePartials, lagrangeAtZero } from '../src/combine.ts';
import { generateShares } from '../src/generate-shares.ts';
import { decodeElement, decodeScalar, fromUniform, isCanonicalElement, isCanonicalScalar, mul, mulBase, reduceWide, scalarFromInt } from '../src/lib/group.ts';
import { blindEvaluateBatch, expandMessageXmd64, hashToGroup, hashToScalar, verifyProof } from '../src/lib/voprf.ts';
import { evaluateDirect } from './helpers/evaluate-direct.ts';

const V = JSON.parse(readFileSync(new URL('./vectors/rfc9497/ristretto255-sha512-voprf.json', import.meta.url), 'utf8'));
const Fn = ristretto255.Point.Fn;
const L = Fn.ORDER;
const le = (x: bigint): Uint8Array => Fn.toBytes(x);
const enc = new TextEncoder();
const CONTEXT = 'OPRFV1-\x01-ristretto255-SHA512';

/** An rng whose 64-byte draws reduce (mod ℓ) to exactly `scalars`, in order: our RandomScalar. */
function ours(hexes: string[]) {
  const queue = [...hexes];
  return (n: number): Uint8Array => {
    assert.equal(n, 64);
    const out = new Uint8Array(64);
    out.set(hexToBytes(queue.shift()!));
    return out;
  };
}

/** The same scalars for noble's randomScalar (48 bytes, x mod (ℓ−1) + 1, little-endian). */
function nobles(hexes: string[]) {
  const queue = [...hexes];
  return (n = 48): Uint8Array<ArrayBuffer> => {
    let x = Fn.fromBytes(hexToBytes(queue.shift()!)) - 1n;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++, x >>= 8n) out[i] = Number(x & 0xffn);
    return out;
  };
}

const randomScalarHex = (): string => bytesToHex(le((Fn.fromBytes(reduceWide(randomBytes(64))) % (L - 1n)) + 1n));

test('the RFC key pair is consistent: pkSm = skSm · G (and noble DeriveKeyPair gives both)', () => {
  assert.equal(bytesToHex(mulBase(hexToBytes(V.skSm))), V.pkSm);
  const kp = ristretto255_oprf.voprf.deriveKeyPair(hexToBytes(V.seed), hexToBytes(V.keyInfo));
  assert.equal(bytesToHex(kp.secretKey), V.skSm);
  assert.equal(bytesToHex(kp.publicKey), V.pkSm);
});

for (const v of V.vectors) {
  test(`RFC 9497 A.1.2 ${v.name}`, () => {
    const inputs = v.input.map((h: string) => hexToBytes(h));
    const items = inputs.map((input: Uint8Array, i: number) => blindInputs([input], ours([v.blind[i]]))[0]!);
    const blinded = items.map((it: { blinded: Uint8Array }) => it.blinded);
    assert.deepEqual(blinded.map(bytesToHex), v.blindedElement);
    assert.deepEqual(items.map((it: { blind: Uint8Array }) => bytesToHex(it.blind)), v.blind);
    const { evaluated, proof } = evaluateBlinded({ secretKey: hexToBytes(V.skSm), publicKey: hexToBytes(V.pkSm), blinded, rng: ours([v.proofRandomScalar]) });
    assert.deepEqual(evaluated.map(bytesToHex), v.evaluationElement);
    assert.equal(bytesToHex(proof), v.proof);
    // the RFC's own proof verifies (VerifyProof on the vector's values, not on ours)
    assert.equal(verifyProof(hexToBytes(V.pkSm), v.blindedElement.map(hexToBytes), v.evaluationElement.map(hexToBytes), hexToBytes(v.proof)), true);
    // RFC Finalize with the proof check …
    assert.deepEqual(finalizeVerifiedUids(items, evaluated, proof, hexToBytes(V.pkSm)), v.output);
    // … and the threshold path (verify the partial, combine a 1-of-1 "group", unblind) agree.
    const points = verifyPartial({ node: 'rfc', publicShare: hexToBytes(V.pkSm), blinded, evaluated, proof });
    assert.deepEqual(finalizeUids(items, combinePartials([{ index: 1, points }], 1)), v.output);
    // a tampered proof is refused, by both entry points
    const bad = proof.slice();
    bad[0]! ^= 1;
    assert.throws(() => verifyPartial({ node: 'rfc', publicShare: hexToBytes(V.pkSm), blinded, evaluated, proof: bad }), { code: 'ERR_UID_PARTIAL_INVALID', node: 'rfc' });
    assert.throws(() => finalizeVerifiedUids(items, evaluated, bad, hexToBytes(V.pkSm)), { code: 'ERR_UID_PARTIAL_INVALID' });
  });
}

test('the RFC key split 2-of-3: any two partials give the RFC outputs', () => {
  const v = V.vectors[2];
  const { shares } = generateShares({ threshold: 2, nodes: ['a', 'b', 'c'], secretKey: hexToBytes(V.skSm) });
  const items = v.input.map((h: string, i: number) => blindInputs([hexToBytes(h)], ours([v.blind[i]]))[0]!);
  const blinded = items.map((it: { blinded: Uint8Array }) => it.blinded);
  const partials = shares.map((s) => {
    const publicShare = hexToBytes(s.publicShares[s.index - 1]!.publicShare);
    const { evaluated, proof } = evaluateBlinded({ secretKey: hexToBytes(s.share!), publicKey: publicShare, blinded });
    return { index: s.index, points: verifyPartial({ node: s.node, publicShare, blinded, evaluated, proof }) };
  });
  for (const pair of [[0, 1], [0, 2], [1, 2], [2, 0]]) {
    const combined = combinePartials(pair.map((i) => partials[i]!), 2);
    assert.deepEqual(combined.map(bytesToHex), v.evaluationElement);
    assert.deepEqual(finalizeUids(items, combined), v.output);
  }
});

test('cross-check with noble on random inputs: hashes, blinding, proofs (both directions), outputs', () => {
  const { secretKey, publicKey } = ristretto255_oprf.voprf.generateKeyPair();
  for (let round = 0; round < 12; round++) {
    const size = 1 + (round % 4);
    const inputs = Array.from({ length: size }, (_, i) => randomBytes((round * 37 + i * 101) % 300));
    // primitives
    const dst = enc.encode(`HashToGroup-${CONTEXT}`);
    assert.deepEqual(expandMessageXmd64(inputs[0]!, dst), expand_message_xmd(inputs[0]!, dst, 64, sha512));
    assert.equal(bytesToHex(hashToGroup(inputs[0]!)), ristretto255_hasher.hashToCurve(inputs[0]!, { DST: dst }).toHex());
    assert.equal(Fn.fromBytes(hashToScalar(inputs[0]!)), ristretto255_hasher.hashToScalar(inputs[0]!, { DST: enc.encode(`HashToScalar-${CONTEXT}`) }));
    // the same blinds and proof nonce through both implementations give the same bytes
    const blinds = inputs.map(randomScalarHex);
    const nonce = randomScalarHex();
    const mine = inputs.map((x, i) => blindInputs([x], ours([blinds[i]!]))[0]!);
    const theirs = inputs.map((x, i) => ristretto255_oprf.voprf.blind(x, nobles([blinds[i]!])));
    assert.deepEqual(mine.map((m) => bytesToHex(m.blinded)), theirs.map((t) => bytesToHex(t.blinded)));
    const blinded = mine.map((m) => m.blinded);
    const a = evaluateBlinded({ secretKey, publicKey, blinded, rng: ours([nonce]) });
    const b = ristretto255_oprf.voprf.blindEvaluateBatch(secretKey, publicKey, blinded, nobles([nonce]));
    assert.deepEqual(a.evaluated.map(bytesToHex), b.evaluated.map(bytesToHex));
    assert.equal(bytesToHex(a.proof), bytesToHex(b.proof));
    // noble verifies a proof with a fresh nonce of ours, we verify one of noble's
    const fresh = evaluateBlinded({ secretKey, publicKey, blinded });
    const nobleOut = ristretto255_oprf.voprf.finalizeBatch(mine.map((m, i) => ({ ...m, evaluated: fresh.evaluated[i]! })), publicKey, fresh.proof);
    const nobleProof = ristretto255_oprf.voprf.blindEvaluateBatch(secretKey, publicKey, blinded);
    const out = finalizeVerifiedUids(mine, nobleProof.evaluated, nobleProof.proof, publicKey);
    assert.deepEqual(out, nobleOut.map(bytesToHex));
    assert.deepEqual(out, inputs.map((x) => bytesToHex(evaluateDirect(secretKey, x))));
  }
});

test('Lagrange coefficients match bigint arithmetic mod ℓ', () => {
  for (const set of [[1, 2], [1, 3, 5], [2, 4, 200, 255], [7]]) {
    const expected = set.map((i) => {
      let num = 1n;
      let den = 1n;
      for (const j of set) if (j !== i) { num = Fn.mul(num, BigInt(j)); den = Fn.mul(den, Fn.sub(BigInt(j), BigInt(i))); }
      return Fn.div(num, den);
    });
    assert.deepEqual(lagrangeAtZero(set).map((s) => Fn.fromBytes(s)), expected);
  }
});

test('element decoding agrees with noble on adversarial encodings; the identity is refused', () => {
  const valid = mulBase(scalarFromInt(9));
  const p = 2n ** 255n - 19n;
  const cases: Uint8Array[] = [
    new Uint8Array(32), // identity
    le(1n), // s = 1 is odd ("negative"): not canonical
    Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 0x7f : 0xff)), // 2^255 − 1 ≥ p
    (() => { const b = new Uint8Array(32); let x = p; for (let i = 0; i < 32; i++, x >>= 8n) b[i] = Number(x & 0xffn); return b; })(), // s = p
    (() => { const b = valid.slice(); b[31]! |= 0x80; return b; })(), // top bit set on a valid encoding
    ...Array.from({ length: 8 }, (_, i) => { const b = valid.slice(); b[i * 4]! ^= 1 << i % 8; return b; }),
    ...Array.from({ length: 300 }, () => randomBytes(32)),
    ...Array.from({ length: 100 }, () => { const b = randomBytes(32); b[0]! &= 0xfe; b[31]! &= 0x7f; return b; }), // even, < 2^255
  ];
  let accepted = 0;
  for (const b of cases) {
    let noble = true;
    try {
      ristretto255.Point.fromBytes(b);
    } catch {
      noble = false;
    }
    assert.equal(isCanonicalElement(b), noble, bytesToHex(b));
    const isId = b.every((x) => x === 0);
    if (noble && !isId) {
      accepted++;
      assert.equal(decodeElement(b, 'E', 'x'), b);
      assert.deepEqual(mul(scalarFromInt(5), b), ristretto255.Point.fromBytes(b).multiply(5n).toBytes());
    } else {
      assert.throws(() => decodeElement(b, 'ERR_X', 'x'), { code: 'ERR_X' });
    }
  }
  assert.ok(accepted > 5, 'some random encodings are valid points');
  assert.throws(() => fromUniform(new Uint8Array(63)), TypeError);
});

test('scalars: only canonical ones (< ℓ) pass; libsodium never sees an unreduced one', () => {
  for (const [x, ok] of [[0n, true], [1n, true], [L - 1n, true], [L, false], [L + 1n, false], [2n ** 255n - 1n, false], [2n ** 256n - 1n, false], [2n ** 253n, false]] as const) {
    const b = new Uint8Array(32);
    let y = x;
    for (let i = 0; i < 32; i++, y >>= 8n) b[i] = Number(y & 0xffn);
    assert.equal(isCanonicalScalar(b), ok, `${x}`);
    if (!ok) {
      // libsodium's scalarmult would clear bit 255 and multiply by a different scalar: refused first
      assert.throws(() => mul(b, mulBase(scalarFromInt(3))), TypeError);
      assert.throws(() => mulBase(b), TypeError);
      assert.throws(() => decodeScalar(b, 'ERR_S', 's'), { code: 'ERR_S' });
    }
  }
  for (let i = 0; i < 50; i++) {
    const b = randomBytes(32);
    assert.equal(isCanonicalScalar(b), Fn.fromBytes(b, true) < L);
  }
  assert.throws(() => decodeScalar(new Uint8Array(32), 'ERR_S', 's'), { code: 'ERR_S' }); // zero
  assert.deepEqual(mul(new Uint8Array(32), mulBase(scalarFromInt(3))), new Uint8Array(32)); // 0 · P = identity, no throw
  assert.throws(() => evaluateBlinded({ secretKey: le(0n), publicKey: hexToBytes(V.pkSm), blinded: [hexToBytes(V.vectors[0].blindedElement[0])] }), TypeError);
  const unreduced = new Uint8Array(32);
  unreduced.set(hexToBytes(V.skSm));
  unreduced[31]! |= 0x80; // skSm + 2^255: sodium alone would silently use skSm
  assert.throws(() => evaluateBlinded({ secretKey: unreduced, publicKey: hexToBytes(V.pkSm), blinded: [hexToBytes(V.vectors[0].blindedElement[0])] }), TypeError);
});

test('forged and malformed proofs are refused', () => {
  const v = V.vectors[2];
  const pk = hexToBytes(V.pkSm);
  const C = v.blindedElement.map(hexToBytes);
  const D = v.evaluationElement.map(hexToBytes);
  const proof = hexToBytes(v.proof);
  const c = Fn.fromBytes(proof.subarray(0, 32));
  const s = Fn.fromBytes(proof.subarray(32));
  const with2 = (c2: Uint8Array, s2: Uint8Array) => Uint8Array.from([...c2, ...s2]);
  const unreduced = (x: bigint) => { const b = new Uint8Array(32); let y = x + L; for (let i = 0; i < 32; i++, y >>= 8n) b[i] = Number(y & 0xffn); return b; };
  const bad: Array<[string, Uint8Array, Uint8Array[], Uint8Array[]]> = [
    ['c + ℓ (same value mod ℓ, non-canonical)', with2(unreduced(c), le(s)), C, D],
    ['s + ℓ', with2(le(c), unreduced(s)), C, D],
    ['s = 0', with2(le(c), le(0n)), C, D],
    ['c = 0, s = 0', new Uint8Array(64), C, D],
    ['batch reordered', proof, [C[1]!, C[0]!], [D[1]!, D[0]!]],
    ['one pair dropped', proof, [C[0]!], [D[0]!]],
    ['another public key', proof, C, D],
    ['short', proof.subarray(0, 63), C, D],
  ];
  for (const [why, pr, c2, d2] of bad) {
    const key = why === 'another public key' ? mulBase(scalarFromInt(2)) : pk;
    assert.equal(verifyProof(key, c2, d2, pr), false, why);
  }
  assert.equal(verifyProof(pk, C, D, proof), true);
  // a "proof" made with another key over the same elements does not verify against pk
  const other = blindEvaluateBatch(le(5n), mulBase(le(5n)), C);
  assert.equal(verifyProof(pk, C, other.evaluated, other.proof), false);
  assert.equal(verifyProof(mulBase(le(5n)), C, other.evaluated, other.proof), true);
});
