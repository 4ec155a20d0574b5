/**
 * The identity service's client for the UID nodes: canonical input bytes in, UID (hex) out.
 *
 *   1. blind every input (blind.ts); the blinds never leave this function;
 *   2. per node, in parallel: verifyNode(node) (its evidence, see verify-node.ts), then
 *      GET /uid/v1/challenge → a single-use nonce; nodes that fail are left out and reported;
 *   3. attestCaller(deriveEvaluateReportData(nonces, blinded)) — ONE piece of the identity
 *      service's own evidence covering every nonce and every element;
 *   4. POST /uid/v1/evaluate to each node that gave a nonce; each answer is verified as it
 *      arrives (DLEQ against the node's public share from the group file); once `threshold`
 *      answers verified, the rest are cancelled;
 *   5. threshold 1: RFC 9497 Finalize with the proof check (the single key's public key);
 *      threshold t > 1: Lagrange-combine the t verified partials into k · B, then unblind.
 * Fewer than t valid partials → UidThresholdError (ERR_UID_THRESHOLD) listing each node's failure;
 * a node with a wrong partial is named there and in `faults` of a successful result.
 */
import { blindInputs, type BlindedInput } from './blind.ts';
import { combinePartials, type VerifiedPartial } from './combine.ts';
import { UidNodeError, UidThresholdError, toFailure, type UidNodeFailure } from './errors.ts';
import { finalizeUids, finalizeVerifiedUids } from './finalize.ts';
import { deriveEvaluateReportData } from './report-data.ts';
import { verifyPartial } from './verify-partial.ts';
import { MAX_BATCH } from './evaluate.ts';
import { fromHex, toBase64, toHex } from '@veil/crypto/bytes';
import { requestJson, type Fetch } from './lib/http.ts';
import type { UidGroup, UidGroupNode } from './share-file.ts';

/** The caller's own evidence for 64 bytes of report data (the identity service's producer). */
export type AttestCaller = (reportData: Uint8Array) => Promise<{ type: 'sgx' | 'simulation'; evidence: Uint8Array }>;

/** Options shared by {@link deriveUid} and {@link deriveUids}. */
export interface DeriveUidClientOptions {
  /** The UID group (parseUidGroup of the group file). */
  group: UidGroup;
  /** Produces the identity service's evidence over the given report data. */
  attestCaller: AttestCaller;
  /** Must throw unless the node is attested (createNodeVerifier). */
  verifyNode: (node: UidGroupNode) => Promise<void>;
  fetch?: Fetch;
  /** Per-request timeout. Default 10,000 ms. */
  timeoutMs?: number;
}

/** UIDs plus the nodes that contributed and those that failed (a successful round can still name faulty nodes). */
export interface DeriveUidsResult {
  /** One UID per input, lowercase hex of the 64-byte VOPRF output. */
  uids: string[];
  /** Names of the nodes whose verified partials were combined. */
  nodes: string[];
  faults: UidNodeFailure[];
}

/**
 * Derives the UIDs of a batch of canonical inputs (1..256) with the group's UID nodes.
 *
 * @example
 * import { deriveUids } from '@veil/uid/derive-uid';
 * const { uids } = await deriveUids({ inputs, group, attestCaller: (rd) => producer.evidence(rd).then((evidence) => ({ type: producer.type, evidence })), verifyNode });
 * @throws UidThresholdError ERR_UID_THRESHOLD (with `failures`); TypeError for bad options or inputs;
 *   whatever attestCaller throws.
 */
export async function deriveUids(opts: DeriveUidClientOptions & { inputs: readonly Uint8Array[] }): Promise<DeriveUidsResult> {
  const { group, attestCaller, verifyNode } = opts ?? ({} as never);
  if (!group || group.v !== 1 || !Array.isArray(group.nodes)) throw new TypeError('group must be a parsed UID group (parseUidGroup)');
  if (typeof attestCaller !== 'function' || typeof verifyNode !== 'function') throw new TypeError('attestCaller and verifyNode are required');
  if (!Array.isArray(opts.inputs) || opts.inputs.length > MAX_BATCH) throw new TypeError(`inputs must hold 1..${MAX_BATCH} entries`);
  const f = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const t = group.threshold;
  const items = blindInputs(opts.inputs);
  const blindedHex = items.map((it) => toHex(it.blinded));
  const faults: UidNodeFailure[] = [];

  const ready = await Promise.all(
    group.nodes.map(async (node) => {
      try {
        await verifyNode(node);
        const c = (await requestJson(f, node.name, `${node.url}/uid/v1/challenge`, { method: 'GET', timeoutMs })) as { v?: unknown; nonce?: unknown };
        if (c?.v !== 1 || typeof c.nonce !== 'string' || !/^[0-9a-f]{64}$/.test(c.nonce)) {
          throw new UidNodeError('ERR_UID_NODE_UNAVAILABLE', node.name, 'malformed challenge response');
        }
        return { node, nonce: c.nonce };
      } catch (e) {
        faults.push(toFailure(node.name, e));
        return undefined;
      }
    }),
  );
  const asked = ready.filter((r): r is { node: UidGroupNode; nonce: string } => r !== undefined);
  if (asked.length < t) throw new UidThresholdError(t, 0, faults);

  const reportData = deriveEvaluateReportData(
    asked.map((a) => fromHex(a.nonce, 32, 'ERR_UID_NODE_UNAVAILABLE', 'nonce')),
    items.map((it) => it.blinded),
  );
  const caller = await attestCaller(reportData);
  const body = { v: 1, nonces: asked.map((a) => a.nonce), blindedElements: blindedHex, evidenceType: caller.type, evidence: toBase64(caller.evidence) };

  // One node and one key: the RFC's own Finalize checks the proof, no separate pass needed.
  const fast = t === 1 && asked.length === 1;
  const cancel = new AbortController();
  const verified: Array<VerifiedPartial & { name: string; evaluated: Uint8Array[]; proof: Uint8Array }> = [];
  await new Promise<void>((done) => {
    let open = asked.length;
    const settle = () => {
      if (verified.length >= t || --open === 0) done();
    };
    for (const { node } of asked) {
      requestJson(f, node.name, `${node.url}/uid/v1/evaluate`, { method: 'POST', body, timeoutMs, signal: cancel.signal })
        .then((json) => {
          if (verified.length >= t) return;
          const partial = readPartial(node, json, items, !fast);
          verified.push(partial);
        })
        .catch((e) => {
          if (verified.length < t) faults.push(toFailure(node.name, e));
        })
        .finally(settle);
    }
  });
  cancel.abort();
  if (verified.length < t) throw new UidThresholdError(t, verified.length, faults);

  const used = verified.slice(0, t);
  let uids: string[];
  if (fast) {
    const p = used[0]!;
    try {
      uids = finalizeVerifiedUids(items, p.evaluated, p.proof, fromHex(asked[0]!.node.publicShare, 32, 'ERR_UID_PARTIAL_INVALID', 'publicShare'));
    } catch (cause) {
      faults.push(toFailure(p.name, new UidNodeError('ERR_UID_PARTIAL_INVALID', p.name, 'partial evaluation rejected: DLEQ proof does not verify against the node\'s public share', { cause })));
      throw new UidThresholdError(1, 0, faults);
    }
  } else {
    uids = finalizeUids(items, combinePartials(used, t));
  }
  return { uids, nodes: used.map((p) => p.name), faults };
}

/**
 * Derives one UID. Same protocol as {@link deriveUids} with a batch of one.
 *
 * @example
 * import { deriveUid } from '@veil/uid/derive-uid';
 * const { uid } = await deriveUid({ input: canonicalRecordBytes, group, attestCaller, verifyNode });
 * @throws UidThresholdError ERR_UID_THRESHOLD (with `failures`); TypeError for bad options.
 */
export async function deriveUid(opts: DeriveUidClientOptions & { input: Uint8Array }): Promise<{ uid: string; nodes: string[]; faults: UidNodeFailure[] }> {
  const { uids, nodes, faults } = await deriveUids({ ...opts, inputs: [opts?.input] });
  return { uid: uids[0]!, nodes, faults };
}

/** Checks an evaluate answer's shape and (unless Finalize will) its DLEQ proof. */
function readPartial(node: UidGroupNode, json: unknown, items: readonly BlindedInput[], checkProof: boolean) {
  const bad = (why: string): never => {
    throw new UidNodeError('ERR_UID_PARTIAL_INVALID', node.name, why);
  };
  const r = json as { v?: unknown; index?: unknown; evaluatedElements?: unknown; proof?: unknown } | null;
  if (!r || r.v !== 1 || r.index !== node.index || !Array.isArray(r.evaluatedElements)) bad('malformed evaluate response');
  const evaluated = (r!.evaluatedElements as unknown[]).map((h, i) => {
    try {
      return fromHex(h, 32, 'ERR_UID_PARTIAL_INVALID', `evaluatedElements[${i}]`);
    } catch {
      return bad(`evaluatedElements[${i}] must be 32 bytes of hex`);
    }
  });
  let proof: Uint8Array;
  try {
    proof = fromHex(r!.proof, 64, 'ERR_UID_PARTIAL_INVALID', 'proof');
  } catch {
    return bad('proof must be 64 bytes of hex');
  }
  if (evaluated.length !== items.length) bad(`${evaluated.length} elements for ${items.length} sent`);
  const publicShare = fromHex(node.publicShare, 32, 'ERR_UID_PARTIAL_INVALID', 'publicShare');
  const points = checkProof ? verifyPartial({ node: node.name, publicShare, blinded: items.map((it) => it.blinded), evaluated, proof }) : [];
  return { name: node.name, index: node.index, points, evaluated, proof };
}
