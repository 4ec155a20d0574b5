// Helpers for group tests and benches: a registrar that signs updates, people with identity
// secrets, and proofs made against the tree a client rebuilds from the board's leaf log.
import type { FastifyInstance } from 'fastify';
import {
  applyGroupUpdate, createGroupTree, deriveCommitment, encodeGroupUpdate, generateIdentitySecret, signPayload, type GroupTree, type GroupUpdate,
} from '@veil/crypto';
import type { Backend, GroupProof } from '@veil/prover';
import type { GroupLeavesResponse } from '@veil/server/schemas';
import { newKey, type TestKey } from './helpers.ts';

export interface Registrar {
  key: TestKey;
  seq: number;
  /** A signed update with the next sequence number (not yet sent). */
  next(u: Omit<GroupUpdate, 'v' | 'seq' | 'createdAt'>, createdAt: number): { update: GroupUpdate; signature: string };
}

export function makeRegistrar(key: TestKey = newKey()): Registrar {
  const r: Registrar = {
    key,
    seq: 0,
    next(u, createdAt) {
      const update: GroupUpdate = { v: 1, seq: ++r.seq, createdAt, ...u };
      return { update, signature: signPayload(encodeGroupUpdate(update), key.secretKey) };
    },
  };
  return r;
}

export interface Person { secret: string; commitment: string }
export async function makePerson(): Promise<Person> {
  const secret = generateIdentitySecret();
  return { secret, commitment: await deriveCommitment(secret) };
}

/** The whole signed log of a group from the board, replayed into a tree (roots checked per entry). */
export async function treeFromBoard(app: FastifyInstance, group: string): Promise<GroupTree> {
  const tree = await createGroupTree();
  for (let since: number | null = 0; since !== null;) {
    const res = await app.inject({ method: 'GET', url: `/api/groups/${encodeURIComponent(group)}/leaves?since=${since}` });
    if (res.statusCode !== 200) throw new Error(`leaves: ${res.statusCode} ${res.body}`);
    const body = res.json() as GroupLeavesResponse;
    for (const e of body.entries) {
      if (applyGroupUpdate(tree, e.update) !== e.root) throw new Error(`root mismatch at ${e.pos}`);
    }
    since = body.next;
  }
  return tree;
}

/** A group proof by `person` for (scope, message) against the board's current tree of `group`. */
export async function proveOnBoard(backend: Backend, app: FastifyInstance, group: string, person: Person, scope: string, message: string): Promise<GroupProof> {
  const tree = await treeFromBoard(app, group);
  const index = tree.indexOf(person.commitment);
  if (index < 0) throw new Error('not a member');
  return backend.proveGroup({ secret: person.secret, merkleProof: tree.proof(index), scope, message });
}
