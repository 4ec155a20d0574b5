// Real group proofs (UltraHonk, test CRS): two proofs for the whole file — a member of a 5-leaf tree
// and the only member of a 1-leaf tree (depth 0) — and every negative is a verification of a
// tampered proof or a mismatched expectation. Witness-level soundness is in circuits/test/group.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createGroupTree, deriveCommitment, deriveNullifier, encodeVote, generateIdentitySecret, isVeilError, messageToField, voteScope,
} from '@veil/crypto';
import { createBackend, parseGroupProof, type Backend, type GroupProof } from '../src/index.ts';

const code = (c: string) => (e: unknown) => isVeilError(e, c) || assert.fail(`expected ${c}, got ${String(e)}`);
const flip = (h: string) => `${h.slice(0, 63)}${h.endsWith('0') ? '1' : '0'}`;
const pollId = '00112233445566778899aabbccddeeff';
const vote = { v: 1 as const, pollId, option: 1, createdAt: 1767225600000 };
const message = messageToField(encodeVote(vote));
const scope = voteScope(pollId);

describe('group proofs (test CRS)', () => {
  let backend: Backend;
  let proof: GroupProof;
  let single: GroupProof;
  let secrets: string[];
  let root: string;

  before(async () => {
    backend = await createBackend({ crs: 'test', threads: 2 });
    secrets = Array.from({ length: 5 }, generateIdentitySecret);
    const tree = await createGroupTree(await Promise.all(secrets.map(deriveCommitment)));
    root = tree.root!;
    proof = await backend.proveGroup({ secret: secrets[3]!, merkleProof: tree.proof(3), scope, message });
    const one = await createGroupTree([await deriveCommitment(secrets[0]!)]);
    single = await backend.proveGroup({ secret: secrets[0]!, merkleProof: one.proof(0), scope: 'like:00112233445566778899aabbccddeeff', message });
  });
  after(() => backend?.destroy());

  it('proves and verifies; the nullifier is the reference one', async () => {
    assert.equal(proof.nullifier, await deriveNullifier(scope, secrets[3]!));
    assert.equal(proof.root, root);
    const v = await backend.verifyGroup(proof, { scope, message, roots: [root], allowTestCrs: true });
    assert.equal(v.nullifier, proof.nullifier);
    assert.deepEqual(parseGroupProof(JSON.parse(JSON.stringify(proof))), proof);
  });

  it('a one-leaf tree (depth 0): the root is the commitment', async () => {
    assert.equal(single.root, await deriveCommitment(secrets[0]!));
    await backend.verifyGroup(single, { scope: single.scope, message, allowTestCrs: true });
  });

  it('refuses a tampered nullifier, root, message hash or scope (public inputs are rebuilt from them)', async () => {
    const tampered: Array<[string, GroupProof]> = [
      ['nullifier', { ...proof, nullifier: flip(proof.nullifier) }],
      ['nullifier of another person', { ...proof, nullifier: await deriveNullifier(scope, secrets[1]!) }],
      ['root', { ...proof, root: flip(proof.root) }],
      ['message hash', { ...proof, message: messageToField(encodeVote({ ...vote, option: 0 })) }],
      ['scope', { ...proof, scope: voteScope('ffeeddccbbaa99887766554433221100') }],
    ];
    for (const [what, g] of tampered) {
      await assert.rejects(backend.verifyGroup(g, { scope: g.scope, message: g.message, allowTestCrs: true }), code('ERR_PROOF_INVALID'), what);
    }
    const raw = Buffer.from(proof.proof, 'base64');
    raw[100]! ^= 1;
    await assert.rejects(backend.verifyGroup({ ...proof, proof: raw.toString('base64') }, { scope, message, allowTestCrs: true }), code('ERR_PROOF_INVALID'));
  });

  it('refuses a proof moved to another scope, message or root set before touching the proof', async () => {
    await assert.rejects(backend.verifyGroup(proof, { scope: voteScope('ffeeddccbbaa99887766554433221100'), message, allowTestCrs: true }), code('ERR_SCOPE_MISMATCH'));
    await assert.rejects(backend.verifyGroup(proof, { scope, message: messageToField(encodeVote({ ...vote, option: 0 })), allowTestCrs: true }), code('ERR_MESSAGE_MISMATCH'));
    await assert.rejects(backend.verifyGroup(proof, { scope, message, roots: [flip(root)], allowTestCrs: true }), code('ERR_ROOT_UNKNOWN'));
    await assert.rejects(backend.verifyGroup(proof, { scope, message, allowTestCrs: false }), code('ERR_CRS_NOT_ACCEPTED'));
    await assert.rejects(backend.verifyGroup({ ...proof, circuit: { name: 'group', id: 'ab'.repeat(32) } }, { scope, message, allowTestCrs: true }), code('ERR_CIRCUIT_UNKNOWN'));
    await assert.rejects(backend.verifyGroup({ ...proof, extra: 1 }, { scope, message, allowTestCrs: true }), code('ERR_GROUP_PROOF_MALFORMED'));
  });

  it('a secret that is not the leaf is refused before proving', async () => {
    const tree = await createGroupTree(await Promise.all(secrets.map(deriveCommitment)));
    await assert.rejects(backend.proveGroup({ secret: secrets[1]!, merkleProof: tree.proof(3), scope, message }), code('ERR_NOT_GROUP_MEMBER'));
  });
});
