// Client side of one-person groups for the CLI: the identity secret file, the group tree rebuilt
// from the board's signed leaf log (every registrar signature and every root checked here, so a
// board cannot hand out a tree it did not publish), and group proofs made locally. The registrar
// key itself is taken from the identity service's evidence (relayed by the board, checked here
// against the expected measurement), never from the board's word alone: a board naming a key of
// its own could add members of its own.
import { readFileSync } from 'node:fs';
import {
  VeilError, applyGroupUpdate, createGroupTree, deriveCommitment, encodeGroupPost, encodeGroupUpdate, messageToField, verifySignature,
  type GroupTree,
} from '@veil/crypto';
import { verifyRegistrarAttestation } from '@veil/identity/enroll';
import type { Backend, GroupProof } from '@veil/prover';
import type { ConfigResponse, GroupLeavesResponse, GroupPostItem, GroupsResponse } from '@veil/server/schemas';
import { api } from './board-client.ts';
import { warnSimulation } from './enclave-verify.ts';
import { expectedMeasurements, verifySgxQuote, type IdentityTrustFlags } from './identity-client.ts';
import { UsageError } from './run.ts';

/** How the registrar key is trusted: the identity service's evidence, or (loudly) the board's word. */
export interface RegistrarTrustFlags extends IdentityTrustFlags {
  trustServerRegistrar?: boolean;
}

/** The flags of every command that rebuilds a group tree. */
export const REGISTRAR_TRUST_OPTIONS = [
  ['--expect-measurement <hex>', 'expected identity-service measurement: for its registrar key and its notarised issuer-key observations (default: the build of these sources)'],
  ['--allow-simulation', 'accept the registrar key and key observations under SIMULATED attestation (development only; proves nothing)'],
  ['--trust-server-registrar', 'take the registrar key the board names without attestation (the board could add members of its own)'],
] as const;

/**
 * The registrar key the leaf signatures must carry: the one the identity service's evidence binds
 * (and the board must name the same), or with --trust-server-registrar the board's, with a warning.
 * @throws VeilError ERR_REGISTRAR_NOT_CONFIGURED, ERR_REGISTRAR_UNATTESTED, ERR_REGISTRAR_MISMATCH and the evidence codes.
 */
export async function trustedRegistrar(server: string, f: RegistrarTrustFlags): Promise<string> {
  const { registrar } = await api<GroupsResponse>(server, 'GET', '/api/groups');
  if (registrar === null) throw new VeilError('ERR_REGISTRAR_NOT_CONFIGURED', 'the board has no registrar: its groups cannot be checked');
  if (f.trustServerRegistrar) {
    if (f.expectMeasurement !== undefined || f.allowSimulation) throw new UsageError('--trust-server-registrar checks no evidence: drop --expect-measurement / --allow-simulation');
    process.stderr.write('veil: WARNING: trusting the registrar key the board names, unattested (--trust-server-registrar): the board could add members of its own\n');
    return registrar;
  }
  let signer: unknown;
  try {
    signer = await api<unknown>(server, 'GET', '/api/identity-service/identity/v1/signer');
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_NOT_FOUND' && (e as { code?: unknown }).code !== 'ERR_SERVER_RESPONSE') throw e;
    throw new VeilError('ERR_REGISTRAR_UNATTESTED', 'the board relays no identity service, so its registrar key cannot be checked (--trust-server-registrar takes the board\'s word)');
  }
  const measurements = await expectedMeasurements(f);
  if (f.allowSimulation) warnSimulation();
  return (await verifyRegistrarAttestation(signer, { measurements, allowSimulation: f.allowSimulation === true, verifySgxQuote }, registrar)).publicKey;
}

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

/** The tree of `group`, every leaf checked against `registrar` (from `trustedRegistrar`). */
export async function fetchGroupTree(server: string, group: string, registrar: string): Promise<BoardTree> {
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
export async function proveForBoard(server: string, group: string, secret: string, scope: string, message: string, trust: RegistrarTrustFlags): Promise<GroupProof> {
  const { tree } = await fetchGroupTree(server, group, await trustedRegistrar(server, trust));
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
export async function verifyGroupPost(server: string, id: string, o: { allowTestCrs?: boolean } & RegistrarTrustFlags): Promise<Record<string, unknown>> {
  const d = await api<GroupPostItem>(server, 'GET', `/api/group-posts/${id}`);
  if (d.post.id !== id) throw new VeilError('ERR_MESSAGE_MISMATCH', 'the server returned another post');
  const { tree, roots } = await fetchGroupTree(server, d.post.group, await trustedRegistrar(server, o));
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
