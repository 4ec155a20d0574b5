/**
 * Distributed key generation for the UID service, so that no machine ever holds the VOPRF key k:
 * Pedersen's DKG ("A threshold cryptosystem without a trusted party", EUROCRYPT '91) — n parallel
 * Feldman VSS instances (Feldman, FOCS '87) — with the complaint → disqualification rule of the
 * "joint-Feldman" protocol as analysed by Gennaro, Jarecki, Krawczyk and Rabin ("Secure
 * distributed key generation for discrete-log based cryptosystems", EUROCRYPT '99 / J. Cryptology
 * 2007, §3). File-based: operators carry the files between the nodes.
 *
 *   plan    anyone: ceremony id (random), t, the ordered node list
 *   join    node i: a fresh X25519 HPKE key (its seed sealed to the UID measurement in the data
 *           dir), published with evidence binding it to the plan and the node's name
 *   deal    node i: verifies every join (pinned UID measurement), picks a random f_i of degree t−1,
 *           publishes C_{i,m} = a_{i,m}·G and HPKE-encrypts s_{i,j} = f_i(j) to every node j
 *           (itself included); the polynomial exists only in memory during this step
 *   check   node j: verifies every deal's evidence, decrypts s_{i,j} and checks
 *           s_{i,j}·G = Σ_m j^m·C_{i,m}; a failure is a complaint naming dealer i
 *   finish  node j: needs the check file of every node not declared absent (the operators'
 *           shared decision), all listing the same deals; QUAL = present dealers with a deal and
 *           no complaint from a present node; |QUAL| ≥ t or refuse;
 *           k_j = Σ_{i∈QUAL} s_{i,j} (sealed), K_l = Σ_{i∈QUAL} Σ_m l^m·C_{i,m} for every present
 *           node l, K = Σ_{i∈QUAL} C_{i,0}; absent nodes hold no share and are left out of the group
 *
 * The output is the usual share file (sealed) and group file, so `veil uid serve` and the
 * threshold client work unchanged. Why this is enough, and its limits, are in the README
 * ("Distributed key generation"): with at most t−1 corrupted nodes, |QUAL| ≥ t puts at least one
 * honest dealer in QUAL, so k stays unknown to them; a rushing adversary can bias K (GJKR '99)
 * but not learn k.
 */
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from '@hpke/core';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { seal, unseal } from '@veil/attest/seal';
import { VeilError } from '@veil/crypto';
import { equalBytes, fromBase64, fromHex, toBase64, toHex } from '@veil/crypto/bytes';
import { IDENTITY, add, decodeElement, isCanonicalScalar, mul, mulBase, randomScalar, scalarAdd, scalarFromInt, scalarMul } from '../lib/group.ts';
import { MAX_NODES } from '../combine.ts';
import { parseShareFile, type ShareFile, type UidGroup } from '../share-file.ts';
import { verifyAttestedEvidence, type SgxQuoteVerifier } from '../verify-evidence.ts';
import { writeOnce } from '../lib/write-once.ts';
import {
  checkDigest, dealDigest, joinReportData, lp, parseDkgCheck, parseDkgDeal, parseDkgJoin, parseDkgPlan, shareInfo, transcriptDigest,
  type DkgCheck, type DkgDeal, type DkgJoin, type DkgPlan,
} from './files.ts';

const hpke = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
const SHARE_SEAL_PURPOSE = 'veil-uid/share/v1';
const HPKE_SEAL_PURPOSE = 'veil-uid/dkg-hpke/v1';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Whom a node trusts as a ceremony peer: pinned UID-service measurements; simulation per node. */
export interface DkgTrust {
  measurements: readonly string[];
  /** Accept simulation evidence (development only); each node's install root is then needed. */
  allowSimulation?: boolean;
  /** Simulation roots by node name, or one root for every node. */
  simulationRoots?: Readonly<Record<string, Uint8Array>> | Uint8Array;
  allowDebug?: boolean;
  verifySgxQuote?: SgxQuoteVerifier;
}

/** What a step needs to know about the node running it. */
export interface DkgNode {
  /** This node's name in the plan. */
  node: string;
  /** Its attestation producer (evidence, sealing): the one `veil uid serve` will use. */
  producer: EvidenceProducer;
  /** Its data directory (the sealed HPKE seed lives there during the ceremony). */
  dataDir: string;
}

function ab(u: Uint8Array): ArrayBuffer {
  return u.slice().buffer as ArrayBuffer;
}

function fail(code: string, message: string): never {
  throw new VeilError(code, message);
}

async function attest(producer: EvidenceProducer, reportData: Uint8Array): Promise<{ evidenceType: 'sgx' | 'simulation'; evidence: string }> {
  return { evidenceType: producer.type, evidence: toBase64(await producer.evidence(reportData)) };
}

async function verifyPeer(trust: DkgTrust, node: string, f: { evidenceType: string; evidence: string }, reportData: Uint8Array, code: string, what: string): Promise<void> {
  const roots = trust.simulationRoots;
  const simulationRoot = roots instanceof Uint8Array ? roots : roots?.[node];
  if (f.evidenceType === 'simulation' && trust.allowSimulation === true && simulationRoot === undefined) fail(code, `${what} of node "${node}" is simulated and no simulation root was given for it`);
  try {
    const evidence = fromBase64(f.evidence, 65536, 'ERR_EVIDENCE_MALFORMED', 'evidence');
    await verifyAttestedEvidence(
      { type: f.evidenceType, evidence, reportData },
      { measurements: trust.measurements, allowSimulation: trust.allowSimulation === true && simulationRoot !== undefined, simulationRoot, allowDebug: trust.allowDebug, verifySgxQuote: trust.verifySgxQuote },
    );
  } catch (e) {
    const why = e instanceof VeilError ? `${e.code}: ${e.message}` : String(e);
    fail(code, `${what} of node "${node}" is not attested: ${why}`);
  }
}

function member(plan: DkgPlan, node: string): DkgPlan['nodes'][number] {
  if (typeof node !== 'string' || !NAME.test(node)) throw new TypeError('node must be a node name');
  return plan.nodes.find((n) => n.name === node) ?? fail('ERR_UID_DKG_UNKNOWN_NODE', `node "${node}" is not in the plan`);
}

/**
 * Starts a ceremony: a fresh random ceremony id, the threshold and the participants in index order.
 *
 * @example
 * import { createDkgPlan } from '@veil/uid/dkg';
 * const plan = createDkgPlan({ threshold: 2, nodes: [{ name: 'uid-a', url: 'http://10.0.0.1:8091' }, …] });
 * @throws VeilError ERR_UID_DKG_PLAN_INVALID for bad names, URLs or threshold.
 */
export function createDkgPlan(opts: { threshold: number; nodes: ReadonlyArray<{ name: string; url: string }> }): DkgPlan {
  const nodes = Array.isArray(opts?.nodes) ? opts.nodes : [];
  if (nodes.length > MAX_NODES) fail('ERR_UID_DKG_PLAN_INVALID', `at most ${MAX_NODES} nodes`);
  return parseDkgPlan({
    v: 1,
    type: 'veil-uid-dkg-plan',
    ceremony: toHex(globalThis.crypto.getRandomValues(new Uint8Array(32))),
    threshold: opts?.threshold,
    nodes: nodes.map((n, i) => ({ name: n.name, index: i + 1, url: typeof n.url === 'string' ? n.url.replace(/\/+$/, '') : n.url })),
  });
}

function seedPath(dataDir: string, plan: DkgPlan, node: string): string {
  return join(dataDir, `dkg-${plan.ceremony}.${node}.hpke.sealed`);
}

async function hpkeKeyPair(seed: Uint8Array): Promise<{ keyPair: CryptoKeyPair; publicKey: Uint8Array }> {
  const keyPair = await hpke.kem.deriveKeyPair(ab(seed));
  return { keyPair, publicKey: new Uint8Array(await hpke.kem.serializePublicKey(keyPair.publicKey)) };
}

async function loadSeed(me: DkgNode, plan: DkgPlan): Promise<Uint8Array> {
  let blob: Buffer;
  try {
    blob = await readFile(seedPath(me.dataDir, plan, me.node));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') fail('ERR_UID_DKG_NOT_JOINED', `node "${me.node}" has not joined ceremony ${plan.ceremony} with data dir ${me.dataDir}`);
    throw e;
  }
  return unseal(new Uint8Array(blob), me.producer, { purpose: `${HPKE_SEAL_PURPOSE}/${plan.ceremony}` });
}

/**
 * Join step: makes (or, run again, reloads) this node's ceremony HPKE key and returns the join file,
 * whose evidence binds the key to the plan and the node's name.
 *
 * @example
 * import { joinDkg } from '@veil/uid/dkg';
 * const joinFile = await joinDkg(plan, { node: 'uid-a', producer, dataDir });
 * @throws VeilError ERR_UID_DKG_UNKNOWN_NODE, ERR_UNSEAL and the producer's codes.
 */
export async function joinDkg(planInput: unknown, me: DkgNode): Promise<DkgJoin> {
  const plan = parseDkgPlan(planInput);
  member(plan, me.node);
  await mkdir(me.dataDir, { recursive: true, mode: 0o700 });
  const path = seedPath(me.dataDir, plan, me.node);
  const fresh = globalThis.crypto.getRandomValues(new Uint8Array(32));
  try {
    await writeOnce(path, await seal(fresh, me.producer, { purpose: `${HPKE_SEAL_PURPOSE}/${plan.ceremony}` }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const { publicKey } = await hpkeKeyPair(await loadSeed(me, plan));
  return { v: 1, type: 'veil-uid-dkg-join', ceremony: plan.ceremony, node: me.node, hpkePublicKey: toHex(publicKey), ...(await attest(me.producer, joinReportData(plan, me.node, publicKey))) };
}

/** The verified key round: one attested HPKE key per plan node. */
interface Keys {
  plan: DkgPlan;
  keys: Uint8Array[];
  transcript: string;
}

async function verifyJoins(planInput: unknown, joinInputs: readonly unknown[], trust: DkgTrust): Promise<Keys> {
  const plan = parseDkgPlan(planInput);
  const code = 'ERR_UID_DKG_JOIN_INVALID';
  const byNode = new Map<string, DkgJoin>();
  for (const input of joinInputs) {
    const j = parseDkgJoin(input);
    if (j.ceremony !== plan.ceremony) fail(code, `the join file of "${j.node}" belongs to another ceremony (${j.ceremony})`);
    member(plan, j.node);
    if (byNode.has(j.node)) fail(code, `two join files for node "${j.node}"`);
    byNode.set(j.node, j);
  }
  const keys: Uint8Array[] = [];
  for (const n of plan.nodes) {
    const j = byNode.get(n.name) ?? fail(code, `no join file for node "${n.name}"`);
    const pk = fromHex(j.hpkePublicKey, 32, code, 'hpkePublicKey');
    await verifyPeer(trust, n.name, j, joinReportData(plan, n.name, pk), code, 'the join file');
    keys.push(pk);
  }
  return { plan, keys, transcript: toHex(transcriptDigest(plan, keys)) };
}

async function encryptShare(to: Uint8Array, share: Uint8Array, info: Uint8Array, aad: Uint8Array): Promise<{ enc: string; ciphertext: string }> {
  let recipientPublicKey: CryptoKey;
  try {
    recipientPublicKey = await hpke.kem.deserializePublicKey(ab(to));
  } catch (cause) {
    throw new VeilError('ERR_UID_DKG_JOIN_INVALID', 'an HPKE public key is not a valid X25519 key', { cause });
  }
  const sender = await hpke.createSenderContext({ recipientPublicKey, info: ab(info) });
  const ct = new Uint8Array(await sender.seal(ab(share), ab(aad)));
  return { enc: toBase64(new Uint8Array(sender.enc)), ciphertext: toBase64(ct) };
}

/** s · G for a polynomial with commitments C_m, evaluated in the exponent at x: Σ x^m · C_m. */
function commitmentAt(commitments: readonly Uint8Array[], x: number): Uint8Array {
  const X = scalarFromInt(x);
  let acc: Uint8Array = IDENTITY.slice();
  for (let m = commitments.length - 1; m >= 0; m--) acc = add(mul(X, acc), commitments[m]!);
  return acc;
}

/**
 * Deal step: verifies every join, deals a random degree t−1 polynomial, returns the deal file.
 *
 * @example
 * import { dealDkg } from '@veil/uid/dkg';
 * const deal = await dealDkg(plan, joins, me, trust);
 * @throws VeilError ERR_UID_DKG_JOIN_INVALID, ERR_UID_DKG_UNKNOWN_NODE and the producer's codes.
 */
export async function dealDkg(planInput: unknown, joinInputs: readonly unknown[], me: DkgNode, trust: DkgTrust): Promise<DkgDeal> {
  const { plan, keys, transcript } = await verifyJoins(planInput, joinInputs, trust);
  member(plan, me.node);
  const coefficients = Array.from({ length: plan.threshold }, () => randomScalar());
  const commitments = coefficients.map((a) => toHex(mulBase(a)));
  const aad = lp(commitments);
  const f = (x: number): Uint8Array => coefficients.reduceRight((acc, c) => scalarAdd(scalarMul(acc, scalarFromInt(x)), c), scalarFromInt(0));
  const shares = [];
  for (const [i, n] of plan.nodes.entries()) {
    shares.push({ to: n.name, ...(await encryptShare(keys[i]!, f(n.index), shareInfo(transcript, me.node, n.name), aad)) });
  }
  coefficients.forEach((c) => c.fill(0));
  const body = { v: 1 as const, type: 'veil-uid-dkg-deal' as const, ceremony: plan.ceremony, dealer: me.node, transcript, commitments, shares };
  return { ...body, ...(await attest(me.producer, dealDigest(body))) };
}

/** A deal whose authenticity is established (evidence of its dealer, this ceremony's transcript). */
interface AuthenticDeal {
  deal: DkgDeal;
  digest: string;
}

async function authenticDeals(k: Keys, dealInputs: readonly unknown[], trust: DkgTrust): Promise<Map<string, AuthenticDeal>> {
  const code = 'ERR_UID_DKG_DEAL_INVALID';
  const out = new Map<string, AuthenticDeal>();
  for (const input of dealInputs) {
    const d = parseDkgDeal(input);
    if (d.ceremony !== k.plan.ceremony || d.transcript !== k.transcript) fail(code, `the deal of "${d.dealer}" belongs to another ceremony or key round`);
    member(k.plan, d.dealer);
    if (out.has(d.dealer)) fail(code, `two deal files from dealer "${d.dealer}"`);
    const digest = dealDigest(d);
    await verifyPeer(trust, d.dealer, d, digest, code, 'the deal file');
    out.set(d.dealer, { deal: d, digest: toHex(digest) });
  }
  return out;
}

/**
 * Checks one authenticated deal for the node `to`: commitments, then the decrypted share against
 * them. Returns the share, or the reason for a complaint.
 */
async function openDeal(k: Keys, d: DkgDeal, to: DkgPlan['nodes'][number], keyPair: CryptoKeyPair): Promise<{ share: Uint8Array; commitments: Uint8Array[] } | { reason: string }> {
  if (d.commitments.length !== k.plan.threshold) return { reason: `${d.commitments.length} commitments, ${k.plan.threshold} expected` };
  let commitments: Uint8Array[];
  try {
    commitments = d.commitments.map((c, m) => decodeElement(fromHex(c, 32, 'ERR_UID_DKG_DEAL_INVALID', 'commitment'), 'ERR_UID_DKG_DEAL_INVALID', `commitment ${m}`));
  } catch (e) {
    return { reason: (e as Error).message };
  }
  if (d.shares.length !== k.plan.nodes.length || d.shares.some((s, i) => s.to !== k.plan.nodes[i]!.name)) return { reason: 'the shares do not address the plan nodes in order' };
  const mine = d.shares[to.index - 1]!;
  let share: Uint8Array;
  try {
    const ctx = await hpke.createRecipientContext({ recipientKey: keyPair, enc: ab(fromBase64(mine.enc, 64, 'ERR_UID_DKG_DEAL_INVALID', 'enc')), info: ab(shareInfo(k.transcript, d.dealer, to.name)) });
    share = new Uint8Array(await ctx.open(ab(fromBase64(mine.ciphertext, 128, 'ERR_UID_DKG_DEAL_INVALID', 'ciphertext')), ab(lp(d.commitments))));
  } catch {
    return { reason: 'the share does not decrypt' };
  }
  if (!isCanonicalScalar(share)) return { reason: 'the share is not a canonical scalar' };
  if (!equalBytes(mulBase(share), commitmentAt(commitments, to.index))) return { reason: 'the share is not on the committed polynomial' };
  return { share, commitments };
}

/**
 * Check step: verifies the deals (evidence of each dealer, this ceremony), checks this node's share
 * of each, and returns the check file with the complaints. A deal file that is not authentic
 * (tampered, replayed, unknown dealer) is refused, not complained about: nobody but its dealer can
 * get a dealer disqualified.
 *
 * @example
 * import { checkDkg } from '@veil/uid/dkg';
 * const check = await checkDkg(plan, joins, deals, me, trust);
 * @throws VeilError ERR_UID_DKG_DEAL_INVALID, ERR_UID_DKG_JOIN_INVALID, ERR_UID_DKG_UNKNOWN_NODE, ERR_UID_DKG_NOT_JOINED
 */
export async function checkDkg(planInput: unknown, joinInputs: readonly unknown[], dealInputs: readonly unknown[], me: DkgNode, trust: DkgTrust): Promise<DkgCheck> {
  const k = await verifyJoins(planInput, joinInputs, trust);
  const self = member(k.plan, me.node);
  const { keyPair, publicKey } = await hpkeKeyPair(await loadSeed(me, k.plan));
  if (!equalBytes(publicKey, k.keys[self.index - 1]!)) fail('ERR_UID_DKG_JOIN_INVALID', `the join file of "${me.node}" does not carry this node's key`);
  const deals = await authenticDeals(k, dealInputs, trust);
  const complaints: DkgCheck['complaints'] = [];
  const listed: DkgCheck['deals'] = [];
  for (const n of k.plan.nodes) {
    const d = deals.get(n.name);
    if (!d) continue;
    listed.push({ dealer: n.name, digest: d.digest });
    const r = await openDeal(k, d.deal, self, keyPair);
    if ('reason' in r) complaints.push({ dealer: n.name, reason: r.reason });
  }
  const body = { v: 1 as const, type: 'veil-uid-dkg-check' as const, ceremony: k.plan.ceremony, node: me.node, transcript: k.transcript, deals: listed, complaints };
  return { ...body, ...(await attest(me.producer, checkDigest(body))) };
}

/** The outcome of a ceremony at one node. */
export interface DkgResult {
  /** The node's share file, share sealed to its producer (purpose "veil-uid/share/v1"). */
  share: ShareFile;
  /** Where it was written: `<dataDir>/<node>.share.sealed.json` (0600), what `veil uid serve --share` takes. */
  sharePath: string;
  /** The public group file (same at every node). */
  group: UidGroup;
  qualified: string[];
  disqualified: Array<{ dealer: string; reasons: string[] }>;
  /** The nodes declared absent, in plan order: every finishing node must use the same list. */
  absent: string[];
}

/** Options of the finish step. */
export interface DkgFinishOptions {
  /**
   * Plan nodes that vanished after joining, by the operators' shared decision: their check files
   * are not needed (and not read), their deals are left out of QUAL and they get no place in the
   * group. Every finishing node must name the same set, or the nodes end with different keys.
   */
  absent?: readonly string[];
}

function absentSet(plan: DkgPlan, me: string, absent: readonly string[] | undefined): Set<string> {
  if (absent !== undefined && !Array.isArray(absent)) throw new TypeError('absent must be an array of node names');
  const out = new Set<string>();
  for (const name of absent ?? []) {
    if (typeof name !== 'string' || !plan.nodes.some((n) => n.name === name)) throw new TypeError(`absent: "${String(name)}" is not a node of the plan`);
    if (name === me) throw new TypeError(`absent: "${name}" is the node finishing`);
    if (out.has(name)) throw new TypeError(`absent: "${name}" is named twice`);
    out.add(name);
  }
  return out;
}

/**
 * Finish step: needs the check file of every node not declared absent; computes QUAL, this node's
 * share and the present nodes' public shares and group key from the commitments; writes the sealed
 * share file into the data dir (never over an existing one) and then removes the ceremony's sealed
 * HPKE seed.
 *
 * @example
 * import { finishDkg } from '@veil/uid/dkg';
 * const { share, group } = await finishDkg(plan, joins, deals, checks, me, trust, { absent: ['uid-e'] });
 * @throws TypeError for an `absent` name outside the plan, repeated, or this node's own.
 * @throws VeilError ERR_UID_DKG_THRESHOLD (fewer than t present nodes or qualified dealers),
 *   ERR_UID_DKG_CHECK_INVALID (a present node's check missing, not attested or listing other deals),
 *   ERR_UID_DKG_SHARE_EXISTS, and the other steps' codes.
 */
export async function finishDkg(
  planInput: unknown,
  joinInputs: readonly unknown[],
  dealInputs: readonly unknown[],
  checkInputs: readonly unknown[],
  me: DkgNode,
  trust: DkgTrust,
  opts: DkgFinishOptions = {},
): Promise<DkgResult> {
  const k = await verifyJoins(planInput, joinInputs, trust);
  const self = member(k.plan, me.node);
  const absent = absentSet(k.plan, me.node, opts?.absent);
  const present = k.plan.nodes.filter((n) => !absent.has(n.name));
  if (present.length < k.plan.threshold) fail('ERR_UID_DKG_THRESHOLD', `${present.length} node(s) left without the absent ones, ${k.plan.threshold} needed`);
  const { keyPair, publicKey } = await hpkeKeyPair(await loadSeed(me, k.plan));
  if (!equalBytes(publicKey, k.keys[self.index - 1]!)) fail('ERR_UID_DKG_JOIN_INVALID', `the join file of "${me.node}" does not carry this node's key`);
  const deals = await authenticDeals(k, dealInputs, trust);
  const code = 'ERR_UID_DKG_CHECK_INVALID';
  const checks = new Map<string, DkgCheck>();
  for (const input of checkInputs) {
    const c = parseDkgCheck(input);
    // An absent node's check file (if one turns up anyway) is not read, so that every operator
    // decides on the same inputs whether or not they hold it.
    if (absent.has(c.node)) continue;
    if (c.ceremony !== k.plan.ceremony || c.transcript !== k.transcript) fail(code, `the check file of "${c.node}" belongs to another ceremony or key round`);
    member(k.plan, c.node);
    if (checks.has(c.node)) fail(code, `two check files from node "${c.node}"`);
    await verifyPeer(trust, c.node, c, checkDigest(c), code, 'the check file');
    checks.set(c.node, c);
  }
  // Everyone must decide on the same deals, or the nodes would end with shares of different keys.
  const ours = [...deals.values()].map((d) => `${d.deal.dealer}:${d.digest}`).sort().join(',');
  const complaints = new Map<string, string[]>();
  for (const n of present) {
    const c = checks.get(n.name) ?? fail(code, `no check file from node "${n.name}"; every node must check before anyone finishes (or be declared absent by all)`);
    if (c.deals.map((d) => `${d.dealer}:${d.digest}`).sort().join(',') !== ours) fail(code, `node "${n.name}" checked other deal files than these; give every node the same deal files`);
    for (const x of c.complaints) {
      if (!deals.has(x.dealer)) fail(code, `node "${n.name}" complains about "${x.dealer}", who has no deal here`);
      complaints.set(x.dealer, [...(complaints.get(x.dealer) ?? []), `${n.name}: ${x.reason}`]);
    }
  }
  // An absent dealer's deal is left out: QUAL stays among the nodes that end up holding a share.
  const qualified = present.map((n) => n.name).filter((name) => deals.has(name) && !complaints.has(name));
  const disqualified = k.plan.nodes
    .filter((n) => !qualified.includes(n.name))
    .map((n) => ({ dealer: n.name, reasons: absent.has(n.name) ? ['absent', ...(complaints.get(n.name) ?? [])] : (complaints.get(n.name) ?? ['no deal file']) }));
  if (qualified.length < k.plan.threshold) {
    fail('ERR_UID_DKG_THRESHOLD', `${qualified.length} qualified dealer(s), ${k.plan.threshold} needed (${disqualified.map((d) => `${d.dealer}: ${d.reasons.join('; ')}`).join(' | ')})`);
  }
  let secret: Uint8Array = scalarFromInt(0);
  let groupKey: Uint8Array = IDENTITY.slice();
  const publicAt: Uint8Array[] = present.map(() => IDENTITY.slice());
  for (const name of qualified) {
    const r = await openDeal(k, deals.get(name)!.deal, self, keyPair);
    // Our own check file says this deal was fine; a different answer now means a broken node.
    if ('reason' in r) fail('ERR_UID_DKG_DEAL_INVALID', `the deal of "${name}" no longer checks: ${r.reason}`);
    secret = scalarAdd(secret, r.share);
    groupKey = add(groupKey, r.commitments[0]!);
    present.forEach((n, i) => (publicAt[i] = add(publicAt[i]!, commitmentAt(r.commitments, n.index))));
  }
  if (!equalBytes(mulBase(secret), publicAt[present.indexOf(self)]!)) fail('ERR_UID_DKG_DEAL_INVALID', 'the combined share does not match its public share');
  // Indices stay those of the plan (gaps where absent nodes were): each share is f(index).
  const publicShares = present.map((n, i) => ({ name: n.name, index: n.index, publicShare: toHex(publicAt[i]!) }));
  const share = parseShareFile({
    v: 1,
    type: 'veil-uid-share',
    node: me.node,
    index: self.index,
    threshold: k.plan.threshold,
    groupPublicKey: toHex(groupKey),
    publicShares,
    sealed: toBase64(await seal(secret, me.producer, { purpose: SHARE_SEAL_PURPOSE })),
  });
  secret.fill(0);
  const group: UidGroup = { v: 1, type: 'veil-uid-group', threshold: k.plan.threshold, groupPublicKey: share.groupPublicKey, nodes: present.map((n, i) => ({ ...publicShares[i]!, url: n.url })) };
  const sharePath = join(me.dataDir, `${me.node}.share.sealed.json`);
  try {
    await writeOnce(sharePath, `${JSON.stringify(share, null, 2)}\n`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') fail('ERR_UID_DKG_SHARE_EXISTS', `${sharePath} already exists; move it away first`);
    throw e;
  }
  await unlink(seedPath(me.dataDir, k.plan, me.node));
  return { share, sharePath, group, qualified, disqualified, absent: k.plan.nodes.map((n) => n.name).filter((name) => absent.has(name)) };
}

export { parseDkgPlan, parseDkgJoin, parseDkgDeal, parseDkgCheck } from './files.ts';
export type { DkgPlan, DkgJoin, DkgDeal, DkgCheck } from './files.ts';
