/**
 * File formats of the UID key material (versioned plain JSON, hex for group elements and scalars).
 *
 * Share file (one per node, written by generateShares / `veil uid keygen` or, sealed, by
 * `veil uid dkg finish`, mode 0600):
 *   { v: 1, type: "veil-uid-share", node, index, threshold, groupPublicKey,
 *     publicShares: [{ name, index, publicShare }...all n nodes],
 *     share: "<32-byte scalar, hex>"         — plaintext, for import only, or
 *     sealed: "<base64 @veil/attest seal blob>" — the share sealed to the UID service's measurement }
 * Group file (public, for the identity service): { v: 1, type: "veil-uid-group", threshold,
 *   groupPublicKey, nodes: [{ name, index, publicShare, url }] }.
 *
 * Checked on parse: shape, the public shares' consistency (lib/public-shares.ts), and for a
 * plaintext share that share · G is the node's listed public share. Not checked: that the dealer
 * destroyed the key after splitting it (trusted dealer; dkg/dkg.ts has none; see README).
 */
import { Type, type Static } from '@sinclair/typebox';
import { VeilError } from '@veil/crypto';
import { decodeScalar, mulBase } from './lib/group.ts';
import { checkPublicShares } from './lib/public-shares.ts';
import { Hex32, NodeIndex as Index, NodeName as Name, NodeUrl, parseDocument } from './lib/schema.ts';
import { equalBytes, fromHex } from '@veil/crypto/bytes';

export const PublicShare = Type.Object({ name: Name, index: Index, publicShare: Hex32 }, { additionalProperties: false });
export type PublicShare = Static<typeof PublicShare>;

export const ShareFile = Type.Object(
  {
    v: Type.Literal(1),
    type: Type.Literal('veil-uid-share'),
    node: Name,
    index: Index,
    threshold: Index,
    groupPublicKey: Hex32,
    publicShares: Type.Array(PublicShare, { minItems: 1, maxItems: 255 }),
    share: Type.Optional(Hex32),
    sealed: Type.Optional(Type.String({ maxLength: 4096, pattern: '^[A-Za-z0-9+/]+={0,2}$' })),
  },
  { additionalProperties: false },
);
export type ShareFile = Static<typeof ShareFile>;

export const UidGroupNode = Type.Object(
  { name: Name, index: Index, publicShare: Hex32, url: NodeUrl },
  { additionalProperties: false },
);
export type UidGroupNode = Static<typeof UidGroupNode>;

export const UidGroup = Type.Object(
  {
    v: Type.Literal(1),
    type: Type.Literal('veil-uid-group'),
    threshold: Index,
    groupPublicKey: Hex32,
    nodes: Type.Array(UidGroupNode, { minItems: 1, maxItems: 255 }),
  },
  { additionalProperties: false },
);
export type UidGroup = Static<typeof UidGroup>;

/**
 * Parses and checks a share file (JSON text or object).
 *
 * @example
 * import { parseShareFile } from '@veil/uid/share-file';
 * const share = parseShareFile(readFileSync('uid-a.share.json', 'utf8'));
 * @throws VeilError ERR_UID_SHARE_INVALID
 */
export function parseShareFile(input: unknown): ShareFile {
  const code = 'ERR_UID_SHARE_INVALID';
  const v = parseDocument(ShareFile, input, code, 'share file');
  if ((v.share === undefined) === (v.sealed === undefined)) throw new VeilError(code, 'share file: exactly one of "share" and "sealed" is required');
  const keys = checkPublicShares(v.threshold, v.groupPublicKey, v.publicShares, code);
  const mine = v.publicShares.findIndex((p) => p.name === v.node);
  if (mine < 0 || v.publicShares[mine]!.index !== v.index) throw new VeilError(code, `share file: node "${v.node}" with index ${v.index} is not among the public shares`);
  if (v.share !== undefined) checkShare(fromHex(v.share, 32, code, 'share'), keys[mine]!, code);
  return v;
}

/** Throws unless share · G equals the expected public share. */
export function checkShare(share: Uint8Array, publicShare: Uint8Array, code: string): void {
  const k = decodeScalar(share, code, 'share');
  if (!equalBytes(mulBase(k), publicShare)) throw new VeilError(code, 'the share does not match its public share');
}

/**
 * Parses and checks a group file (JSON text or object): the identity service's view of the UID nodes.
 *
 * @example
 * import { parseUidGroup } from '@veil/uid/share-file';
 * const group = parseUidGroup(readFileSync('group.json', 'utf8'));
 * @throws VeilError ERR_UID_GROUP_INVALID
 */
export function parseUidGroup(input: unknown): UidGroup {
  const code = 'ERR_UID_GROUP_INVALID';
  const v = parseDocument(UidGroup, input, code, 'group file');
  checkPublicShares(v.threshold, v.groupPublicKey, v.nodes, code);
  return v;
}
