// RFC 9497 Appendix A.1.2 (ristretto255-SHA512, VOPRF): our blind / evaluate / finalize paths
// reproduce the RFC's blinded elements, evaluations, proofs and outputs byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { blindInputs } from '../src/blind.ts';
import { evaluateBlinded } from '../src/evaluate.ts';
import { finalizeUids, finalizeVerifiedUids } from '../src/finalize.ts';
import { verifyPartial } from '../src/verify-partial.ts';
import { combinePartials } from '../src/combine.ts';
import { generateShares } from '../src/generate-shares.ts';
import { Fn } from '../src/lib/group.ts';

const V = JSON.parse(readFileSync(new URL('./vectors/rfc9497/ristretto255-sha512-voprf.json', import.meta.url), 'utf8'));

/** An rng that makes noble's randomScalar (mapHashToField: x mod (ℓ−1) + 1, little-endian) return exactly `scalars` in order. */
function fixedScalars(hexes: string[]) {
  const queue = [...hexes];
  return (n = 48): Uint8Array<ArrayBuffer> => {
    const s = Fn.fromBytes(hexToBytes(queue.shift()!)) - 1n;
    const out = new Uint8Array(n);
    let x = s;
    for (let i = 0; i < n; i++, x >>= 8n) out[i] = Number(x & 0xffn);
    return out;
  };
}

test('DeriveKeyPair gives the RFC key pair', () => {
  const kp = ristretto255_oprf.voprf.deriveKeyPair(hexToBytes(V.seed), hexToBytes(V.keyInfo));
  assert.equal(bytesToHex(kp.secretKey), V.skSm);
  assert.equal(bytesToHex(kp.publicKey), V.pkSm);
});

for (const v of V.vectors) {
  test(`RFC 9497 A.1.2 ${v.name}`, () => {
    const inputs = v.input.map((h: string) => hexToBytes(h));
    const items = inputs.map((input: Uint8Array, i: number) => blindInputs([input], fixedScalars([v.blind[i]]))[0]!);
    assert.deepEqual(items.map((it: { blinded: Uint8Array }) => bytesToHex(it.blinded)), v.blindedElement);
    assert.deepEqual(items.map((it: { blind: Uint8Array }) => bytesToHex(it.blind)), v.blind);
    const { evaluated, proof } = evaluateBlinded({
      secretKey: hexToBytes(V.skSm), publicKey: hexToBytes(V.pkSm), blinded: items.map((it: { blinded: Uint8Array }) => it.blinded), rng: fixedScalars([v.proofRandomScalar]),
    });
    assert.deepEqual(evaluated.map(bytesToHex), v.evaluationElement);
    assert.equal(bytesToHex(proof), v.proof);
    // RFC Finalize with the proof check …
    assert.deepEqual(finalizeVerifiedUids(items, evaluated, proof, hexToBytes(V.pkSm)), v.output);
    // … and the threshold path (verify the partial, combine a 1-of-1 "group", unblind) agree.
    const points = verifyPartial({ node: 'rfc', publicShare: hexToBytes(V.pkSm), blinded: items.map((it: { blinded: Uint8Array }) => it.blinded), evaluated, proof });
    assert.deepEqual(finalizeUids(items, combinePartials([{ index: 1, points }], 1)), v.output);
    // a tampered proof is refused
    const bad = proof.slice();
    bad[0]! ^= 1;
    assert.throws(() => verifyPartial({ node: 'rfc', publicShare: hexToBytes(V.pkSm), blinded: items.map((it: { blinded: Uint8Array }) => it.blinded), evaluated, proof: bad }), { code: 'ERR_UID_PARTIAL_INVALID', node: 'rfc' });
  });
}

test('the RFC key split 2-of-3: any two partials give the RFC outputs', () => {
  const v = V.vectors[2];
  const { shares } = generateShares({ threshold: 2, nodes: ['a', 'b', 'c'], secretKey: hexToBytes(V.skSm) });
  const items = v.input.map((h: string, i: number) => blindInputs([hexToBytes(h)], fixedScalars([v.blind[i]]))[0]!);
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
