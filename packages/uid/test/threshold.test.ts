// Threshold VOPRF in process: any t of n verified partials give exactly the single-key UID,
// t−1 never do, and a wrong partial is caught by its DLEQ proof and named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { evaluateDirect } from './helpers/evaluate-direct.ts';
import { blindInputs } from '../src/blind.ts';
import { evaluateBlinded } from '../src/evaluate.ts';
import { finalizeUids, finalizeVerifiedUids } from '../src/finalize.ts';
import { verifyPartial } from '../src/verify-partial.ts';
import { combinePartials } from '../src/combine.ts';
import { generateShares } from '../src/generate-shares.ts';
import { parseShareFile, parseUidGroup } from '../src/share-file.ts';
import { groupFile } from '../src/generate-shares.ts';
import { mulBase, scalarFromInt } from '../src/lib/group.ts';

const enc = new TextEncoder();

function subsets<T>(xs: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [h, ...rest] = xs;
  return [...subsets(rest, k - 1).map((s) => [h!, ...s]), ...subsets(rest, k)];
}

for (const [t, n] of [[2, 3], [3, 5]] as const) {
  test(`${t}-of-${n}: every set of ${t} gives the single-key UID, every set of ${t - 1} fails`, () => {
    const key = ristretto255_oprf.voprf.generateKeyPair();
    const names = Array.from({ length: n }, (_, i) => `uid-${String.fromCharCode(97 + i)}`);
    const gen = generateShares({ threshold: t, nodes: names, secretKey: key.secretKey });
    assert.equal(gen.groupPublicKey, bytesToHex(key.publicKey));
    const inputs = [enc.encode('zoë ó briain|1990-02-03|ie'), enc.encode('jürgen weiß|1985-11-30|de')];
    const items = blindInputs(inputs);
    const blinded = items.map((it) => it.blinded);
    // the single-key reference: the full RFC protocol with k, and the non-interactive Evaluate
    const single = evaluateBlinded({ secretKey: key.secretKey, publicKey: key.publicKey, blinded });
    const expected = finalizeVerifiedUids(items, single.evaluated, single.proof, key.publicKey);
    assert.deepEqual(expected, inputs.map((i) => bytesToHex(evaluateDirect(key.secretKey, i))));
    assert.notEqual(expected[0], expected[1]);

    const partials = gen.shares.map((s) => {
      const publicShare = hexToBytes(gen.publicShares[s.index - 1]!.publicShare);
      const { evaluated, proof } = evaluateBlinded({ secretKey: hexToBytes(s.share!), publicKey: publicShare, blinded });
      return { index: s.index, points: verifyPartial({ node: s.node, publicShare, blinded, evaluated, proof }) };
    });
    for (const set of subsets(partials, t)) {
      assert.deepEqual(finalizeUids(items, combinePartials(set, t)), expected, `set ${set.map((p) => p.index)}`);
    }
    for (const set of subsets(partials, t - 1)) {
      assert.throws(() => combinePartials(set, t), { code: 'ERR_UID_THRESHOLD' });
      // and interpolating t−1 points as if the threshold were lower gives some other value, not the UID
      if (set.length > 0) assert.notDeepEqual(finalizeUids(items, combinePartials(set, t - 1)), expected);
    }
  });
}

test('a corrupted partial is caught by its DLEQ proof and reported with the node name', () => {
  const gen = generateShares({ threshold: 2, nodes: ['uid-a', 'uid-b', 'uid-c'] });
  const items = blindInputs([enc.encode('x'), enc.encode('y')]);
  const blinded = items.map((it) => it.blinded);
  const b = gen.shares[1]!;
  const publicShare = hexToBytes(gen.publicShares[1]!.publicShare);
  const honest = evaluateBlinded({ secretKey: hexToBytes(b.share!), publicKey: publicShare, blinded });
  assert.doesNotThrow(() => verifyPartial({ node: 'uid-b', publicShare, blinded, ...honest }));
  const other = mulBase(scalarFromInt(12345));
  const wrongKey = evaluateBlinded({ secretKey: hexToBytes(gen.shares[0]!.share!), publicKey: publicShare, blinded });
  const cases: Array<[string, Parameters<typeof verifyPartial>[0]]> = [
    ['element replaced', { node: 'uid-b', publicShare, blinded, evaluated: [other, honest.evaluated[1]!], proof: honest.proof }],
    ['elements swapped', { node: 'uid-b', publicShare, blinded, evaluated: [honest.evaluated[1]!, honest.evaluated[0]!], proof: honest.proof }],
    ['proof byte flipped', { node: 'uid-b', publicShare, blinded, evaluated: honest.evaluated, proof: honest.proof.map((x, i) => (i === 40 ? x ^ 1 : x)) }],
    ['evaluated with another share, proof claims this one', { node: 'uid-b', publicShare, blinded, ...wrongKey }],
    ['against other blinded elements', { node: 'uid-b', publicShare, blinded: [blinded[1]!, blinded[0]!], ...honest }],
    ['identity element', { node: 'uid-b', publicShare, blinded, evaluated: [new Uint8Array(32), honest.evaluated[1]!], proof: honest.proof }],
    ['non-canonical bytes', { node: 'uid-b', publicShare, blinded, evaluated: [new Uint8Array(32).fill(0xff), honest.evaluated[1]!], proof: honest.proof }],
    ['one element missing', { node: 'uid-b', publicShare, blinded, evaluated: [honest.evaluated[0]!], proof: honest.proof }],
    ['short proof', { node: 'uid-b', publicShare, blinded, evaluated: honest.evaluated, proof: honest.proof.subarray(0, 63) }],
  ];
  for (const [why, p] of cases) assert.throws(() => verifyPartial(p), { name: 'UidNodeError', code: 'ERR_UID_PARTIAL_INVALID', node: 'uid-b' }, why);
});

test('share and group files: consistent ones parse, tampered ones are refused', () => {
  const gen = generateShares({ threshold: 2, nodes: ['uid-a', 'uid-b', 'uid-c'] });
  for (const s of gen.shares) assert.deepEqual(parseShareFile(JSON.stringify(s)), s);
  const group = groupFile(gen, { 'uid-a': 'http://127.0.0.1:1', 'uid-b': 'http://127.0.0.1:2', 'uid-c': 'http://127.0.0.1:3/' });
  assert.equal(parseUidGroup(JSON.stringify(group)).nodes[2]!.url, 'http://127.0.0.1:3');
  const s0 = gen.shares[0]!;
  const other = generateShares({ threshold: 2, nodes: ['uid-a', 'uid-b', 'uid-c'] });
  const bad: Array<[string, unknown]> = [
    ['not JSON', '{'],
    ['share of another key', { ...s0, share: other.shares[0]!.share }],
    ['public share off the polynomial', { ...s0, publicShares: [s0.publicShares[0], s0.publicShares[1], other.publicShares[2]] }],
    ['wrong group key', { ...s0, groupPublicKey: other.groupPublicKey }],
    ['node not listed', { ...s0, node: 'uid-z' }],
    ['index mismatch', { ...s0, index: 2 }],
    ['both share and sealed', { ...s0, sealed: 'AAAA' }],
    ['neither', { ...s0, share: undefined }],
    ['threshold above n', { ...s0, threshold: 4 }],
    ['extra field', { ...s0, extra: 1 }],
    ['repeated index', { ...s0, publicShares: [s0.publicShares[0], { ...s0.publicShares[1]!, index: 1 }, s0.publicShares[2]] }],
  ];
  for (const [why, v] of bad) assert.throws(() => parseShareFile(typeof v === 'string' ? v : JSON.stringify(v)), { code: 'ERR_UID_SHARE_INVALID' }, why);
  assert.throws(() => parseUidGroup({ ...group, groupPublicKey: other.groupPublicKey }), { code: 'ERR_UID_GROUP_INVALID' });
  assert.throws(() => parseUidGroup({ ...group, nodes: group.nodes.map((n, i) => (i === 1 ? { ...n, publicShare: other.publicShares[1]!.publicShare } : n)) }), { code: 'ERR_UID_GROUP_INVALID' });
  assert.throws(() => parseUidGroup({ ...group, nodes: [{ ...group.nodes[0]!, url: 'file:///etc/passwd' }, ...group.nodes.slice(1)] }), { code: 'ERR_UID_GROUP_INVALID' });
});
