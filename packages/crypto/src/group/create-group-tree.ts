/**
 * A group's LeanIMT (@zk-kit/lean-imt 2.2.5) with the group circuit's hasher, keyed by hex field
 * values. LeanIMT semantics (matched by `circuits/lib/merkle`): a node with only a left child takes
 * its value, the depth is ceil(log2(size)), a proof lists only the siblings that exist. A removed
 * member's leaf is set to 0 (LeanIMT `update`), so the tree size never shrinks and indices stay.
 * The empty tree has no root (null). Trees deeper than 32 levels cannot be proven in and are refused.
 */
import { LeanIMT } from '@zk-kit/lean-imt';
import { VeilError } from '../errors.ts';
import { poseidon2, type Poseidon2 } from '../lib/poseidon2.ts';
import { MAX_GROUP_DEPTH, NODE_TAG, afieldHex, fieldToHex } from './fields.ts';

/** A LeanIMT proof in the shape the group circuit takes. */
export interface GroupMerkleProof {
  root: string;
  leaf: string;
  /** One bit per listed sibling, least significant first (1 = the path node is a right child). */
  index: number;
  /** The number of siblings (≤ 32). */
  depth: number;
  siblings: string[];
}

/** A group tree (see the file header). */
export interface GroupTree {
  /** Current root (64 hex digits), null while empty. */
  readonly root: string | null;
  /** Leaves ever inserted, removed ones included. */
  readonly size: number;
  /** Leaves that are not removed: the anonymity set. */
  readonly members: number;
  readonly depth: number;
  leaf(index: number): string | undefined;
  /** Index of an active (non-removed) commitment, or -1. */
  indexOf(commitment: string): number;
  /** Appends a commitment; returns its index. */
  insert(commitment: string): number;
  /** Sets leaf `index` to 0. */
  remove(index: number): void;
  proof(index: number): GroupMerkleProof;
}

const ZERO = fieldToHex(0n);

/** The LeanIMT inner node: Poseidon2([NODE_TAG, left, right]). */
export function groupNodeHash(hash: Poseidon2): (left: bigint, right: bigint) => bigint {
  return (left, right) => hash([NODE_TAG, left, right]);
}

/**
 * Builds a group tree from its leaves in order (removed ones as 64 zeros).
 * @example
 * import { createGroupTree, deriveCommitment } from '@veil/crypto';
 * const tree = await createGroupTree([await deriveCommitment(secret)]);
 * const proof = tree.proof(0);
 * @throws TypeError on a malformed leaf; VeilError ERR_GROUP_TOO_DEEP beyond 2^32 leaves.
 */
export async function createGroupTree(leaves: readonly string[] = []): Promise<GroupTree> {
  const hash = await poseidon2();
  const imt = new LeanIMT<bigint>(groupNodeHash(hash));
  const active = new Map<string, number>();
  const values = leaves.map((l, i) => afieldHex(`leaves[${i}]`, l));
  if (values.length > 2 ** MAX_GROUP_DEPTH) throw new VeilError('ERR_GROUP_TOO_DEEP', 'a group holds at most 2^32 leaves');
  if (values.length > 0) imt.insertMany(values);
  leaves.forEach((l, i) => {
    if (l !== ZERO) active.set(l, i);
  });
  const inRange = (index: number) => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= imt.size) throw new RangeError(`no leaf ${index} in a tree of ${imt.size}`);
  };
  return {
    get root() {
      return imt.size === 0 ? null : fieldToHex(imt.root);
    },
    get size() {
      return imt.size;
    },
    get members() {
      return active.size;
    },
    get depth() {
      return imt.depth;
    },
    leaf(index) {
      const v = Number.isSafeInteger(index) && index >= 0 && index < imt.size ? imt.leaves[index] : undefined;
      return v === undefined ? undefined : fieldToHex(v);
    },
    indexOf(commitment) {
      return active.get(commitment) ?? -1;
    },
    insert(commitment) {
      const v = afieldHex('commitment', commitment);
      if (imt.size >= 2 ** MAX_GROUP_DEPTH) throw new VeilError('ERR_GROUP_TOO_DEEP', 'a group holds at most 2^32 leaves');
      imt.insert(v);
      if (v !== 0n) active.set(commitment, imt.size - 1);
      return imt.size - 1;
    },
    remove(index) {
      inRange(index);
      const old = fieldToHex(imt.leaves[index]!);
      if (active.get(old) === index) active.delete(old);
      imt.update(index, 0n);
    },
    proof(index) {
      inRange(index);
      const p = imt.generateProof(index);
      return { root: fieldToHex(p.root), leaf: fieldToHex(p.leaf), index: p.index, depth: p.siblings.length, siblings: p.siblings.map(fieldToHex) };
    },
  };
}
