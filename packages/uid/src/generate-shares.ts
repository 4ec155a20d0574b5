/**
 * Trusted-dealer key generation for the UID service: a random ristretto255 scalar k (or a given
 * one), a random polynomial f of degree t−1 with f(0) = k over the scalar field, shares
 * k_i = f(i) for i = 1..n, public shares K_i = k_i · G and the group public key K = k · G.
 * With t = 1 every share equals k (single-key mode).
 *
 * Trust: the dealer sees k; it must run somewhere trusted and forget k (the CLI keeps it only in
 * memory). dkg/dkg.ts makes the same files without anyone ever holding k.
 * Randomness: RFC 9497 RandomScalar (64 bytes from WebCrypto getRandomValues, reduced mod ℓ).
 */
import { decodeScalar, mulBase, randomScalar, scalarAdd, scalarFromInt, scalarMul } from './lib/group.ts';
import { toHex } from '@veil/crypto/bytes';
import { MAX_NODES } from './combine.ts';
import type { ShareFile, UidGroup } from './share-file.ts';

/** The dealer's output: one plaintext share file per node plus the public group (without URLs). */
export interface GeneratedShares {
  threshold: number;
  groupPublicKey: string;
  publicShares: Array<{ name: string; index: number; publicShare: string }>;
  shares: ShareFile[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Splits a (new or given) VOPRF key into t-of-n Shamir shares.
 *
 * @example
 * import { generateShares } from '@veil/uid/generate-shares';
 * const { shares, groupPublicKey } = generateShares({ threshold: 2, nodes: ['uid-a', 'uid-b', 'uid-c'] });
 * @throws TypeError for bad names, a threshold outside 1..n, or a bad secret key.
 */
export function generateShares(opts: { threshold: number; nodes: readonly string[]; secretKey?: Uint8Array }): GeneratedShares {
  const { threshold, nodes } = opts ?? ({} as never);
  if (!Array.isArray(nodes) || nodes.length < 1 || nodes.length > MAX_NODES) throw new TypeError(`nodes must list 1..${MAX_NODES} names`);
  for (const n of nodes) if (typeof n !== 'string' || !NAME.test(n)) throw new TypeError(`node name "${n}" must match ${NAME}`);
  if (new Set(nodes).size !== nodes.length) throw new TypeError('node names must be distinct');
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > nodes.length) throw new TypeError('threshold must be an integer in 1..nodes.length');
  const k = opts.secretKey === undefined ? randomScalar() : decodeScalarArg(opts.secretKey);
  const coefficients = [k];
  for (let i = 1; i < threshold; i++) coefficients.push(randomScalar());
  const f = (x: Uint8Array): Uint8Array => coefficients.reduceRight((acc, c) => scalarAdd(scalarMul(acc, x), c), scalarFromInt(0));
  const groupPublicKey = toHex(mulBase(k));
  const secrets = nodes.map((_, i) => f(scalarFromInt(i + 1)));
  const publicShares = nodes.map((name, i) => ({ name, index: i + 1, publicShare: toHex(mulBase(secrets[i]!)) }));
  const shares = nodes.map((node, i): ShareFile => ({
    v: 1,
    type: 'veil-uid-share',
    node,
    index: i + 1,
    threshold,
    groupPublicKey,
    publicShares,
    share: toHex(secrets[i]!),
  }));
  return { threshold, groupPublicKey, publicShares, shares };
}

function decodeScalarArg(secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) throw new TypeError('secretKey must be 32 bytes');
  try {
    return decodeScalar(secretKey, 'ERR_UID_SHARE_INVALID', 'secretKey');
  } catch {
    throw new TypeError('secretKey must be a canonical non-zero scalar');
  }
}

/**
 * The public group file for the identity service, given each node's URL.
 *
 * @example
 * import { generateShares, groupFile } from '@veil/uid/generate-shares';
 * const group = groupFile(generateShares({ threshold: 1, nodes: ['uid'] }), { uid: 'http://127.0.0.1:8091' });
 * @throws TypeError when a node has no URL.
 */
export function groupFile(gen: Pick<GeneratedShares, 'threshold' | 'groupPublicKey' | 'publicShares'>, urls: Readonly<Record<string, string>>): UidGroup {
  return {
    v: 1,
    type: 'veil-uid-group',
    threshold: gen.threshold,
    groupPublicKey: gen.groupPublicKey,
    nodes: gen.publicShares.map((p) => {
      const url = urls[p.name];
      if (typeof url !== 'string') throw new TypeError(`no URL for node "${p.name}"`);
      return { ...p, url: url.replace(/\/+$/, '') };
    }),
  };
}
