/**
 * The identity service's check of a UID node before it uses it: fetch
 * `GET /attestation/evidence?challenge=<fresh 32 bytes>`, and require that the evidence verifies
 * against the pinned UID-service measurement(s) (simulation only when allowed) with report data
 * deriveNodeReportData(challenge, publicShare, groupPublicKey) for the node's public share and
 * group key FROM THE GROUP FILE — so attested code of the pinned build holds exactly the share
 * the client will check partials against. The answer's own fields are compared with the group
 * file, never taken from it.
 *
 * Why a verified node can be cached: every later answer carries a DLEQ proof against that public
 * share, so whoever answers at the URL must know k_i; the evidence established that only attested
 * code holds it (sealed to its measurement). `createNodeVerifier` therefore re-attests each node
 * only after `maxAgeMs` (default 5 minutes).
 */
import { UidNodeError } from './errors.ts';
import { deriveNodeReportData } from './report-data.ts';
import { aTrustPolicy, verifyAttestedEvidence, type TrustPolicy, type VerifiedFacts } from './verify-evidence.ts';
import { fromBase64, fromHex, toHex } from '@veil/crypto/bytes';
import { requestJson, type Fetch } from './lib/http.ts';
import { MAX_EVIDENCE_BYTES } from './wire.ts';
import type { UidGroupNode } from './share-file.ts';

/** Options for {@link verifyUidNodeEvidence}. */
export interface VerifyUidNodeOptions {
  /** The 32-byte challenge WE chose. */
  challenge: Uint8Array;
  /** The node as the group file describes it. */
  node: UidGroupNode;
  groupPublicKey: string;
  /** Pinned UID-service measurements. */
  trust: TrustPolicy;
}

/**
 * Verifies a UID node's evidence response (untrusted JSON) for our challenge.
 *
 * @example
 * import { verifyUidNodeEvidence } from '@veil/uid/verify-node';
 * const facts = await verifyUidNodeEvidence(json, { challenge, node, groupPublicKey, trust: { measurements: [m] } });
 * @throws UidNodeError ERR_UID_NODE_UNTRUSTED (with `node`; the message names the failed check)
 */
export async function verifyUidNodeEvidence(response: unknown, opts: VerifyUidNodeOptions): Promise<VerifiedFacts> {
  const { node } = opts;
  const untrusted = (why: string, cause?: unknown): never => {
    throw new UidNodeError('ERR_UID_NODE_UNTRUSTED', node.name, why, { cause });
  };
  const r = response as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || r.v !== 1) untrusted('not a version-1 UID evidence response');
  if (r!.publicShare !== node.publicShare || r!.index !== node.index || r!.groupPublicKey !== opts.groupPublicKey) {
    untrusted('the node reports another share, index or group than the group file');
  }
  let evidence: Uint8Array;
  try {
    evidence = fromBase64(r!.evidence, MAX_EVIDENCE_BYTES, 'ERR_EVIDENCE_MALFORMED', 'evidence');
  } catch (cause) {
    return untrusted('evidence is not base64', cause);
  }
  const reportData = deriveNodeReportData(opts.challenge, fromHex(node.publicShare, 32, 'ERR_UID_NODE_UNTRUSTED', 'publicShare'), fromHex(opts.groupPublicKey, 32, 'ERR_UID_NODE_UNTRUSTED', 'groupPublicKey'));
  try {
    return await verifyAttestedEvidence({ type: r!.type, evidence, reportData }, opts.trust);
  } catch (cause) {
    return untrusted(`evidence refused (${(cause as { code?: string }).code ?? 'error'}: ${(cause as Error).message})`, cause);
  }
}

/** Options for {@link createNodeVerifier}. */
export interface NodeVerifierOptions {
  groupPublicKey: string;
  trust: TrustPolicy;
  /** Re-attest a node after this long. Default 300,000 ms. */
  maxAgeMs?: number;
  timeoutMs?: number;
  fetch?: Fetch;
  now?: () => number;
  /** Called with the facts of every freshly verified node (e.g. to warn about simulation). */
  onVerified?: (node: UidGroupNode, facts: VerifiedFacts) => void;
}

/**
 * Returns `verifyNode(node)`: attests a node over HTTP (fresh challenge) unless it was verified
 * less than `maxAgeMs` ago. Pass it to deriveUid.
 *
 * @example
 * import { createNodeVerifier } from '@veil/uid/verify-node';
 * const verifyNode = createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: { measurements: [uidMeasurement] } });
 * @throws (the returned function) UidNodeError ERR_UID_NODE_UNTRUSTED, ERR_UID_NODE_UNAVAILABLE, ERR_UID_NODE_REFUSED
 */
export function createNodeVerifier(opts: NodeVerifierOptions): (node: UidGroupNode) => Promise<void> {
  aTrustPolicy(opts?.trust);
  const maxAge = opts.maxAgeMs ?? 300_000;
  const now = opts.now ?? Date.now;
  const f = opts.fetch ?? fetch;
  const verifiedUntil = new Map<string, number>();
  return async (node) => {
    const key = `${node.url}\0${node.publicShare}\0${node.index}`;
    if ((verifiedUntil.get(key) ?? 0) > now()) return;
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    const json = await requestJson(f, node.name, `${node.url}/attestation/evidence?challenge=${toHex(challenge)}`, { method: 'GET', timeoutMs: opts.timeoutMs ?? 10_000 });
    const facts = await verifyUidNodeEvidence(json, { challenge, node, groupPublicKey: opts.groupPublicKey, trust: opts.trust });
    opts.onVerified?.(node, facts);
    verifiedUntil.set(key, now() + maxAge);
  };
}
