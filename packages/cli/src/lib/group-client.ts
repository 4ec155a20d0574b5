// Client side of one-person groups for the CLI: the identity secret file, the group tree rebuilt
// from the board's signed leaf log (every registrar signature and every root checked here, so a
// board cannot hand out a tree it did not publish), and group proofs made locally.
import { readFileSync } from 'node:fs';
import {
  VeilError, applyGroupUpdate, createGroupTree, deriveCommitment, encodeGroupPost, encodeGroupUpdate, messageToField, verifySignature,
  type GroupTree,
} from '@veil/crypto';
import type { Backend, GroupProof } from '@veil/prover';
import type { ConfigResponse, GroupLeavesResponse, GroupPostItem, GroupsResponse } from '@veil/server/schemas';
import { api } from './board-client.ts';
import { UsageError } from './run.ts';

/** `{ "secret": "<64 hex>" }`: the identity secret whose commitment the registrar inserted. */
export function readSecretFile(path: string): { secret: string } {
  let j: { secret?: unknown };
  try {
    j = JSON.parse(readFileSync(path, 'utf8')) as { secret?: unknown };
  } catch (e) {
    throw new UsageError(`--secret ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof j?.secret !== 'string' || !/^[0-9a-f]{64}$/.test(j.secret)) throw new UsageError(`--secret ${path}: expected {"secret": 64 lowercase hex digits}`);
  return { secret: j.secret };
}

/** A group's tree from the board's leaf log, with the time each root became current. */
export interface BoardTree {
  tree: GroupTree;
  /** root → when the board says it became current (ms). */
  roots: Map<string, number>;
}

export async function fetchGroupTree(server: string, group: string): Promise<BoardTree> {
  const { registrar } = await api<GroupsResponse>(server, 'GET', '/api/groups');
  if (registrar === null) throw new VeilError('ERR_REGISTRAR_NOT_CONFIGURED', 'the board has no registrar: its groups cannot be checked');
  const tree = await createGroupTree();
  const roots = new Map<string, number>();
  let applied = 0;
  for (let since: number | null = 0; since !== null;) {
    const page: GroupLeavesResponse = await api<GroupLeavesResponse>(server, 'GET', `/api/groups/${encodeURIComponent(group)}/leaves?since=${since}`);
    for (const e of page.entries) {
      if (e.pos !== applied++) throw new VeilError('ERR_GROUP_LOG_INVALID', `the leaf log skips to position ${e.pos}`);
      if (e.update.group !== group) throw new VeilError('ERR_GROUP_LOG_INVALID', 'the leaf log holds another group\'s update');
      verifySignature(encodeGroupUpdate(e.update), e.signature, registrar);
      if (applyGroupUpdate(tree, e.update) !== e.root) throw new VeilError('ERR_GROUP_LOG_INVALID', `the board's root at position ${e.pos} is not the one its leaves give`);
      roots.set(e.root, e.receivedAt);
    }
    since = page.next;
  }
  return { tree, roots };
}

/** A warm backend proving with the board's CRS (warns on stderr about the test CRS). */
export async function boardBackend(server: string): Promise<Backend> {
  const config = await api<ConfigResponse>(server, 'GET', '/api/config');
  const crs = config.crs.kind === 'test' ? 'test' : 'aztec';
  if (crs === 'test') process.stderr.write('veil: WARNING: this board uses the INSECURE test CRS (anyone can forge proofs under it)\n');
  const { createBackend } = await import('@veil/prover');
  return createBackend({ crs });
}

/** Proves membership of `group` for (scope, message) with the identity secret, against the board's current tree. */
export async function proveForBoard(server: string, group: string, secret: string, scope: string, message: string): Promise<GroupProof> {
  const { tree } = await fetchGroupTree(server, group);
  const index = tree.indexOf(await deriveCommitment(secret));
  if (index < 0) throw new VeilError('ERR_NOT_GROUP_MEMBER', `this identity secret is not a member of ${group} on this board`);
  const backend = await boardBackend(server);
  try {
    return await backend.proveGroup({ secret, merkleProof: tree.proof(index), scope, message });
  } finally {
    await backend.destroy();
  }
}

/**
 * `veil verify-message` for a post made with a group proof: the proof signs exactly this post
 * (scope = its id, message = its canonical encoding) against a root the group's signed log held
 * before the board received it. Returns what was verified.
 */
export async function verifyGroupPost(server: string, id: string, o: { allowTestCrs?: boolean }): Promise<Record<string, unknown>> {
  const d = await api<GroupPostItem>(server, 'GET', `/api/group-posts/${id}`);
  if (d.post.id !== id) throw new VeilError('ERR_MESSAGE_MISMATCH', 'the server returned another post');
  const { tree, roots } = await fetchGroupTree(server, d.post.group);
  const accepted = [...roots].filter(([, at]) => at <= d.receivedAt).map(([root]) => root);
  const { createBackend } = await import('@veil/prover');
  const backend = await createBackend();
  try {
    const v = await backend.verifyGroup(d.proof, {
      scope: d.post.id, message: messageToField(encodeGroupPost(d.post)), roots: accepted, ...(o.allowTestCrs ? { allowTestCrs: true } : {}),
    });
    return { valid: true, id, group: d.post.group, proof: 'group', root: v.root, groupSize: tree.members, crs: v.crs.kind };
  } finally {
    await backend.destroy();
  }
}
