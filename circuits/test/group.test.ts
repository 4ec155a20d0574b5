/**
 * The group circuit (circuits/group, with circuits/lib/merkle) executed with noir_js (witness only;
 * proofs are in packages/prover) against the TypeScript reference: roots of @zk-kit/lean-imt trees
 * with the group hasher (and an independent recursive definition of the LeanIMT root), commitments
 * and nullifiers from @veil/crypto. Random trees of every shape that matters — one leaf, two,
 * non-powers of two, removed (zero) leaves — and a path at the maximum depth of 32. Negatives: a
 * tampered root, nullifier or scope, a wrong sibling or index bit, a wrong secret, a removed leaf.
 * The message is bound by the proof, not by a gate: its test is a real proof in packages/prover.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Noir } from '@noir-lang/noir_js';
import fc from 'fast-check';
import { ensureCompiled } from '../scripts/build.ts';
import {
  NODE_TAG, buildGroupInputs, createGroupTree, deriveCommitment, deriveNullifier, fieldToHex, generateIdentitySecret, messageToField,
  type GroupInputs, type GroupMerkleProof,
} from '../../packages/crypto/src/index.ts';
import { poseidon2 } from '../../packages/crypto/src/lib/poseidon2.ts';

type Program = Awaited<ReturnType<typeof ensureCompiled>>['program'];
let program: Program;
let hash: Awaited<ReturnType<typeof poseidon2>>;
before(async () => {
  program = (await ensureCompiled('group')).program;
  hash = await poseidon2();
});

const run = (i: GroupInputs['inputs']) => new Noir(program as never).execute(i as never);
async function unsatisfiable(i: GroupInputs['inputs'], label: string): Promise<void> {
  await assert.rejects(run(i), (e: unknown) => e instanceof Error && /Circuit execution failed/.test(e.message), label);
}
const message = messageToField(new TextEncoder().encode('a message'));
const flip = (h: string) => `${h.slice(0, 63)}${h.endsWith('0') ? '1' : '0'}`;
const hex0x = (h: string) => `0x${h}`;

/** LeanIMT root by definition: pair up each level, a lone last node is carried up unhashed. */
function referenceRoot(leaves: bigint[]): bigint {
  let level = leaves;
  while (level.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? hash([NODE_TAG, level[i]!, level[i + 1]!]) : level[i]!);
    level = next;
  }
  return level[0]!;
}

async function people(n: number): Promise<{ secrets: string[]; leaves: string[] }> {
  const secrets = Array.from({ length: n }, generateIdentitySecret);
  return { secrets, leaves: await Promise.all(secrets.map(deriveCommitment)) };
}

describe('group circuit against the TypeScript reference', () => {
  it('accepts every member of random trees (1, 2, non-power-of-two sizes, removed leaves); roots match lean-imt and the definition', async () => {
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 31, 33];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sizes), fc.nat(), fc.nat(), fc.boolean(), async (size, pick, drop, withRemoval) => {
        const { secrets, leaves } = await people(size);
        const tree = await createGroupTree(leaves);
        const index = pick % size;
        const removed = withRemoval && size > 1 ? (index + 1 + (drop % (size - 1))) % size : -1;
        if (removed >= 0) tree.remove(removed);
        const current = leaves.map((l, i) => (i === removed ? 0n : BigInt(`0x${l}`)));
        assert.equal(tree.root, fieldToHex(referenceRoot(current)));
        const scope = `poll:${index.toString(16).padStart(32, '0')}`;
        const proof = tree.proof(index);
        assert.ok(proof.depth <= Math.ceil(Math.log2(size)));
        const { inputs, publicInputs } = await buildGroupInputs({ secret: secrets[index]!, proof, scope, message });
        assert.equal(publicInputs.nullifier, await deriveNullifier(scope, secrets[index]!));
        await run(inputs);
      }),
      { numRuns: 14 },
    );
  });

  it('accepts a path of the maximum depth, 32 (root computed in TypeScript)', async () => {
    const secret = generateIdentitySecret();
    const leaf = await deriveCommitment(secret);
    const siblings = Array.from({ length: 32 }, () => generateIdentitySecret());
    const index = 0xdeadbeef;
    let node = BigInt(`0x${leaf}`);
    siblings.forEach((s, i) => {
      const sib = BigInt(`0x${s}`);
      node = (index >>> i) & 1 ? hash([NODE_TAG, sib, node]) : hash([NODE_TAG, node, sib]);
    });
    const proof: GroupMerkleProof = { root: fieldToHex(node), leaf, index, depth: 32, siblings };
    const { inputs } = await buildGroupInputs({ secret, proof, scope: 'like:00', message });
    await run(inputs);
    await unsatisfiable({ ...inputs, depth: 31 }, 'depth 31 reaches another node');
    await unsatisfiable({ ...inputs, depth: 33 }, 'depth 33 exceeds the maximum');
  });

  it('refuses tampered public inputs, wrong paths and wrong secrets', async () => {
    const { secrets, leaves } = await people(6);
    const tree = await createGroupTree(leaves);
    const scope = 'poll:00112233445566778899aabbccddeeff';
    const { inputs } = await buildGroupInputs({ secret: secrets[3]!, proof: tree.proof(3), scope, message });
    await run(inputs);
    const cases: Array<[string, Partial<GroupInputs['inputs']>]> = [
      ['root', { root: hex0x(flip(inputs.root.slice(2))) }],
      ['nullifier', { nullifier: hex0x(flip(inputs.nullifier.slice(2))) }],
      ['nullifier of another scope', { nullifier: hex0x(await deriveNullifier('poll:ffeeddccbbaa99887766554433221100', secrets[3]!)) }],
      ['nullifier of another member', { nullifier: hex0x(await deriveNullifier(scope, secrets[2]!)) }],
      ['scope', { scope: hex0x(flip(inputs.scope.slice(2))) }],
      ['secret of another member', { secret: hex0x(secrets[2]!) }],
      ['sibling', { siblings: inputs.siblings.map((s, i) => (i === 1 ? hex0x(flip(s.slice(2).padStart(64, '0'))) : s)) }],
      ['index bit', { index: `0x${(Number(inputs.index) ^ 1).toString(16)}` }],
      ['depth - 1', { depth: inputs.depth - 1 }],
      ['depth + 1', { depth: inputs.depth + 1 }],
    ];
    for (const [label, edit] of cases) await unsatisfiable({ ...inputs, ...edit }, label);
  });

  it('a removed leaf (set to 0) has no valid proof against the new root', async () => {
    const { secrets, leaves } = await people(5);
    const tree = await createGroupTree(leaves);
    const old = tree.proof(2);
    tree.remove(2);
    assert.equal(tree.leaf(2), fieldToHex(0n));
    assert.equal(tree.members, 4);
    // The old path against the new root, and the new path (whose leaf is 0) with the old secret.
    const { inputs } = await buildGroupInputs({ secret: secrets[2]!, proof: old, scope: 'like:01', message });
    await unsatisfiable({ ...inputs, root: hex0x(tree.root!) }, 'old path, new root');
    const fresh = tree.proof(2);
    const forced = { ...inputs, root: hex0x(tree.root!), index: `0x${fresh.index.toString(16)}`, depth: fresh.depth, siblings: [...fresh.siblings.map(hex0x), ...Array(32 - fresh.depth).fill('0x0')] };
    await unsatisfiable(forced, 'new path of the zero leaf');
    await assert.rejects(buildGroupInputs({ secret: secrets[2]!, proof: fresh, scope: 'like:01', message }), /not the leaf/);
  });
});
