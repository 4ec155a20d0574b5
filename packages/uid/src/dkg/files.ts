/**
 * File formats and bindings of the distributed key generation (dkg.ts). Every file is versioned
 * JSON; every file a node writes carries that node's attestation evidence over a SHA-512 digest of
 * its content, so the evidence acts as a signature by attested UID-service code:
 *
 *   plan   { v:1, type:"veil-uid-dkg-plan", ceremony (32-byte hex, random), threshold,
 *            nodes:[{ name, index (= position + 1), url }] }                      — public, unsigned
 *   join   { v:1, type:"veil-uid-dkg-join", ceremony, node, hpkePublicKey, evidenceType, evidence }
 *            report data H("veil-uid/dkg-join/v1" ‖ 0 ‖ lp(planDigest, node, hpkePublicKey))
 *   deal   { v:1, type:"veil-uid-dkg-deal", ceremony, dealer, transcript, commitments[t],
 *            shares:[{ to, enc, ciphertext }...one per node], evidenceType, evidence }
 *            report data dealDigest = H("veil-uid/dkg-deal/v1" ‖ 0 ‖ lp(every field above))
 *   check  { v:1, type:"veil-uid-dkg-check", ceremony, node, transcript, deals:[{ dealer, digest }],
 *            complaints:[{ dealer, reason }], evidenceType, evidence }
 *            report data checkDigest = H("veil-uid/dkg-check/v1" ‖ 0 ‖ lp(every field above))
 *
 * planDigest binds the ceremony id, the threshold and the ordered participant list (names, indices,
 * URLs); `transcript` = H(tag ‖ planDigest ‖ every node's HPKE key in plan order) binds the keys
 * too, so a file from another ceremony, another participant list or made for other keys never
 * verifies. lp(x) = u32be(len) ‖ x, so every encoding is unambiguous.
 */
import { Type, type Static } from '@sinclair/typebox';
import { VeilError } from '@veil/crypto';
import { fromHex } from '@veil/crypto/bytes';
import { sha512 } from '../lib/group.ts';
import { EvidenceType, Hex32, Hex64, NodeIndex as Index, NodeName as Name, NodeUrl, parseDocument as parse } from '../lib/schema.ts';

const B64 = (max: number) => Type.String({ maxLength: max, pattern: '^[A-Za-z0-9+/]+={0,2}$' });
const Evidence = B64(65536);
const Reason = Type.String({ minLength: 1, maxLength: 200 });

export const DkgPlan = Type.Object(
  {
    v: Type.Literal(1),
    type: Type.Literal('veil-uid-dkg-plan'),
    ceremony: Hex32,
    threshold: Index,
    nodes: Type.Array(Type.Object({ name: Name, index: Index, url: NodeUrl }, { additionalProperties: false }), { minItems: 1, maxItems: 255 }),
  },
  { additionalProperties: false },
);
export type DkgPlan = Static<typeof DkgPlan>;

export const DkgJoin = Type.Object(
  { v: Type.Literal(1), type: Type.Literal('veil-uid-dkg-join'), ceremony: Hex32, node: Name, hpkePublicKey: Hex32, evidenceType: EvidenceType, evidence: Evidence },
  { additionalProperties: false },
);
export type DkgJoin = Static<typeof DkgJoin>;

export const DkgDeal = Type.Object(
  {
    v: Type.Literal(1),
    type: Type.Literal('veil-uid-dkg-deal'),
    ceremony: Hex32,
    dealer: Name,
    transcript: Hex64,
    commitments: Type.Array(Hex32, { minItems: 1, maxItems: 255 }),
    shares: Type.Array(Type.Object({ to: Name, enc: B64(64), ciphertext: B64(128) }, { additionalProperties: false }), { minItems: 1, maxItems: 255 }),
    evidenceType: EvidenceType,
    evidence: Evidence,
  },
  { additionalProperties: false },
);
export type DkgDeal = Static<typeof DkgDeal>;

export const DkgCheck = Type.Object(
  {
    v: Type.Literal(1),
    type: Type.Literal('veil-uid-dkg-check'),
    ceremony: Hex32,
    node: Name,
    transcript: Hex64,
    deals: Type.Array(Type.Object({ dealer: Name, digest: Hex64 }, { additionalProperties: false }), { maxItems: 255 }),
    complaints: Type.Array(Type.Object({ dealer: Name, reason: Reason }, { additionalProperties: false }), { maxItems: 255 }),
    evidenceType: EvidenceType,
    evidence: Evidence,
  },
  { additionalProperties: false },
);
export type DkgCheck = Static<typeof DkgCheck>;

/**
 * Parses a plan file and checks that names are distinct and indices are 1..n in order.
 *
 * @example
 * import { parseDkgPlan } from '@veil/uid/dkg/files';
 * const plan = parseDkgPlan(readFileSync('plan.json', 'utf8'));
 * @throws VeilError ERR_UID_DKG_PLAN_INVALID
 */
export function parseDkgPlan(input: unknown): DkgPlan {
  const code = 'ERR_UID_DKG_PLAN_INVALID';
  const p = parse(DkgPlan, input, code, 'plan');
  if (new Set(p.nodes.map((n) => n.name)).size !== p.nodes.length) throw new VeilError(code, 'plan: node names must be distinct');
  p.nodes.forEach((n, i) => {
    if (n.index !== i + 1) throw new VeilError(code, `plan: node "${n.name}" must have index ${i + 1}`);
  });
  if (p.threshold > p.nodes.length) throw new VeilError(code, 'plan: threshold exceeds the number of nodes');
  return p;
}

export const parseDkgJoin = (input: unknown): DkgJoin => parse(DkgJoin, input, 'ERR_UID_DKG_JOIN_INVALID', 'join file');
export const parseDkgDeal = (input: unknown): DkgDeal => parse(DkgDeal, input, 'ERR_UID_DKG_DEAL_INVALID', 'deal file');
export const parseDkgCheck = (input: unknown): DkgCheck => parse(DkgCheck, input, 'ERR_UID_DKG_CHECK_INVALID', 'check file');

const enc = new TextEncoder();

/** Domain-separation tags of the DKG's digests, report data and HPKE info. */
export const DKG_TAGS = Object.freeze({
  plan: 'veil-uid/dkg-plan/v1',
  transcript: 'veil-uid/dkg-transcript/v1',
  join: 'veil-uid/dkg-join/v1',
  deal: 'veil-uid/dkg-deal/v1',
  check: 'veil-uid/dkg-check/v1',
  share: 'veil-uid/dkg-share/v1',
});

/** Length-prefixed concatenation: u32be(len) ‖ bytes for each part. */
export function lp(parts: ReadonlyArray<Uint8Array | string | number>): Uint8Array {
  const bytes = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : typeof p === 'number' ? Uint8Array.of(p >>> 24, (p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff) : p));
  const out = new Uint8Array(bytes.reduce((a, b) => a + 4 + b.length, 0));
  let o = 0;
  for (const b of bytes) {
    new DataView(out.buffer).setUint32(o, b.length);
    out.set(b, o + 4);
    o += 4 + b.length;
  }
  return out;
}

/** SHA-512(tag ‖ 0 ‖ body): the digest every binding uses. */
export function tagged(tag: string, body: Uint8Array): Uint8Array {
  const t = enc.encode(tag);
  const m = new Uint8Array(t.length + 1 + body.length);
  m.set(t);
  m.set(body, t.length + 1);
  return sha512(m);
}

export function planDigest(plan: DkgPlan): Uint8Array {
  return tagged(DKG_TAGS.plan, lp([fromHex(plan.ceremony, 32, 'ERR_UID_DKG_PLAN_INVALID', 'ceremony'), plan.threshold, plan.nodes.length, ...plan.nodes.flatMap((n) => [n.name, n.index, n.url])]));
}

export function joinReportData(plan: DkgPlan, node: string, hpkePublicKey: Uint8Array): Uint8Array {
  return tagged(DKG_TAGS.join, lp([planDigest(plan), node, hpkePublicKey]));
}

/** The transcript of the key round: the plan and every node's HPKE key, in plan order. */
export function transcriptDigest(plan: DkgPlan, keys: readonly Uint8Array[]): Uint8Array {
  return tagged(DKG_TAGS.transcript, lp([planDigest(plan), keys.length, ...keys]));
}

export function dealDigest(d: Omit<DkgDeal, 'evidence' | 'evidenceType'>): Uint8Array {
  return tagged(DKG_TAGS.deal, lp([d.ceremony, d.dealer, d.transcript, d.commitments.length, ...d.commitments, d.shares.length, ...d.shares.flatMap((s) => [s.to, s.enc, s.ciphertext])]));
}

export function checkDigest(c: Omit<DkgCheck, 'evidence' | 'evidenceType'>): Uint8Array {
  return tagged(
    DKG_TAGS.check,
    lp([c.ceremony, c.node, c.transcript, c.deals.length, ...c.deals.flatMap((d) => [d.dealer, d.digest]), c.complaints.length, ...c.complaints.flatMap((x) => [x.dealer, x.reason])]),
  );
}

/** HPKE info of one share: which ceremony (transcript), from whom, to whom. */
export function shareInfo(transcript: string, dealer: string, to: string): Uint8Array {
  return lp([DKG_TAGS.share, transcript, dealer, to]);
}
