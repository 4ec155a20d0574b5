// Group building blocks: exact signed payloads, the registrar-update checks every replica makes,
// tree bookkeeping (members, removal to 0), field encodings. Circuit agreement is tested in
// circuits/test/group.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyGroupUpdate, createGroupTree, deriveCommitment, deriveNullifier, encodeGroupLike, encodeGroupPost, encodeGroupUpdate, encodePoll, encodeVote,
  generateIdentitySecret, isVeilError, messageToField, scopeToField, COMMITMENT_TAG, NODE_TAG, NULLIFIER_TAG,
} from '@veil/crypto';

const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const ID = '00112233445566778899aabbccddeeff';
const C = '0a'.repeat(32);

test('tags are the ASCII strings the Noir globals spell', () => {
  assert.equal(COMMITMENT_TAG.toString(16), Buffer.from('veil/group/commitment/v1').toString('hex'));
  assert.equal(NULLIFIER_TAG.toString(16), Buffer.from('veil/group/nullifier/v1').toString('hex'));
  assert.equal(NODE_TAG.toString(16), Buffer.from('veil/group/node/v1').toString('hex'));
});

test('signed payloads: domain prefix + RFC 8785 canonical JSON', () => {
  assert.equal(dec(encodeGroupUpdate({ v: 1, seq: 7, group: 'human', action: 'insert', index: 3, commitment: C, createdAt: 5 })),
    `veil/group-update/v1\n{"action":"insert","commitment":"${C}","createdAt":5,"group":"human","index":3,"seq":7,"v":1}`);
  assert.equal(dec(encodeVote({ v: 1, pollId: ID, option: 2, createdAt: 5 })), `veil/vote/v1\n{"createdAt":5,"option":2,"pollId":"${ID}","v":1}`);
  assert.equal(dec(encodePoll({ v: 1, id: ID, group: 'human', question: 'Q?', options: ['a', 'b'], closesAt: null, allowChange: false, createdAt: 5 })),
    `veil/poll/v1\n{"allowChange":false,"closesAt":null,"createdAt":5,"group":"human","id":"${ID}","options":["a","b"],"question":"Q?","v":1}`);
  assert.equal(dec(encodeGroupPost({ v: 1, id: ID, group: 'human', text: 'hé', createdAt: 5 })), `veil/group-post/v1\n{"createdAt":5,"group":"human","id":"${ID}","text":"hé","v":1}`);
  assert.equal(dec(encodeGroupLike({ v: 1, messageId: ID, createdAt: 5 })), `veil/group-like/v1\n{"createdAt":5,"messageId":"${ID}","v":1}`);
  assert.throws(() => encodeVote({ v: 1, pollId: ID, option: -1, createdAt: 5 }), TypeError);
  assert.throws(() => encodePoll({ v: 1, id: ID, group: 'human', question: 'Q', options: ['a'], closesAt: null, allowChange: false, createdAt: 5 }), TypeError);
  assert.throws(() => encodeGroupUpdate({ v: 1, seq: 0, group: 'human', action: 'insert', index: 0, commitment: C, createdAt: 5 }), TypeError);
  assert.throws(() => encodeGroupUpdate({ v: 1, seq: 1, group: 'human', action: 'insert', index: 0, commitment: 'ff'.repeat(32), createdAt: 5 }), /field element/);
});

test('scopes and messages map to distinct field elements below 2^248', () => {
  const a = scopeToField(`poll:${ID}`);
  assert.ok(a < 1n << 248n);
  assert.notEqual(a, scopeToField(`like:${ID}`));
  assert.match(messageToField(new Uint8Array([1])), /^[0-9a-f]{64}$/);
  assert.throws(() => scopeToField(''), TypeError);
  assert.throws(() => scopeToField('x'.repeat(257)), TypeError);
});

test('registrar updates: only at the end, no zero or duplicate commitments, removals by index and value; failures change nothing', async () => {
  const s = [generateIdentitySecret(), generateIdentitySecret()];
  const [c0, c1] = await Promise.all(s.map(deriveCommitment));
  const tree = await createGroupTree();
  assert.equal(tree.root, null);
  const code = (c: string) => (e: unknown) => isVeilError(e, c);
  applyGroupUpdate(tree, { action: 'insert', index: 0, commitment: c0! });
  assert.equal(tree.root, c0, 'a single leaf is the root');
  assert.throws(() => applyGroupUpdate(tree, { action: 'insert', index: 0, commitment: c1! }), code('ERR_GROUP_UPDATE_INDEX'));
  assert.throws(() => applyGroupUpdate(tree, { action: 'insert', index: 1, commitment: c0! }), code('ERR_GROUP_UPDATE_LEAF'));
  assert.throws(() => applyGroupUpdate(tree, { action: 'insert', index: 1, commitment: '0'.repeat(64) }), code('ERR_GROUP_UPDATE_LEAF'));
  const r1 = tree.root;
  applyGroupUpdate(tree, { action: 'insert', index: 1, commitment: c1! });
  assert.notEqual(tree.root, r1);
  assert.throws(() => applyGroupUpdate(tree, { action: 'remove', index: 1, commitment: c0! }), code('ERR_GROUP_UPDATE_LEAF'));
  assert.throws(() => applyGroupUpdate(tree, { action: 'remove', index: 2, commitment: c0! }), code('ERR_GROUP_UPDATE_INDEX'));
  const before = tree.root;
  applyGroupUpdate(tree, { action: 'remove', index: 0, commitment: c0! });
  assert.notEqual(tree.root, before);
  assert.deepEqual([tree.size, tree.members, tree.indexOf(c0!), tree.indexOf(c1!)], [2, 1, -1, 1]);
  assert.throws(() => applyGroupUpdate(tree, { action: 'remove', index: 0, commitment: c0! }), code('ERR_GROUP_UPDATE_LEAF'));
  assert.throws(() => applyGroupUpdate(tree, { action: 'remove', index: 0, commitment: '0'.repeat(64) }), code('ERR_GROUP_UPDATE_LEAF'));
  // A removed commitment may be registered again (a new leaf; the old one stays 0).
  applyGroupUpdate(tree, { action: 'insert', index: 2, commitment: c0! });
  assert.deepEqual([tree.size, tree.members, tree.indexOf(c0!)], [3, 2, 2]);
  assert.notEqual(await deriveNullifier('poll:1', s[0]!), await deriveNullifier('poll:2', s[0]!));
});
