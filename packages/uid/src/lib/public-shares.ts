/**
 * Consistency of a group's public shares (Feldman-style, on public values only): the first t
 * public shares, interpolated in the exponent, must give the group public key at 0 and every other
 * node's public share at its index. Then all n shares lie on ONE polynomial of degree < t whose
 * value at 0 is the key behind groupPublicKey, so any t verified partials combine to k · B.
 */
import { VeilError } from '@veil/crypto';
import { IDENTITY, add, decodeElement, mul } from './group.ts';
import { lagrangeAt, MAX_NODES } from '../combine.ts';
import { fromHex, equalBytes } from '@veil/crypto/bytes';

export interface PublicShareEntry {
  name: string;
  index: number;
  publicShare: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws VeilError `code` unless the entries form a consistent t-of-n group. Returns the decoded shares. */
export function checkPublicShares(threshold: number, groupPublicKey: string, entries: readonly PublicShareEntry[], code: string): Uint8Array[] {
  const fail = (why: string): never => {
    throw new VeilError(code, why);
  };
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > MAX_NODES) fail('threshold must be an integer in 1..255');
  if (!Array.isArray(entries) || entries.length < threshold || entries.length > MAX_NODES) fail(`need between threshold (${threshold}) and ${MAX_NODES} public shares`);
  const names = new Set<string>();
  const indices = new Set<number>();
  const keys = entries.map((e, i) => {
    if (typeof e?.name !== 'string' || !NAME.test(e.name)) fail(`publicShares[${i}].name must match ${NAME}`);
    if (!Number.isInteger(e.index) || e.index < 1 || e.index > MAX_NODES) fail(`publicShares[${i}].index must be in 1..${MAX_NODES}`);
    if (names.has(e.name) || indices.has(e.index)) fail(`publicShares[${i}] repeats a name or an index`);
    names.add(e.name);
    indices.add(e.index);
    return fromHex(e.publicShare, 32, code, `publicShares[${i}].publicShare`);
  });
  const gpk = fromHex(groupPublicKey, 32, code, 'groupPublicKey');
  const points = keys.map((k, i) => decodeElement(k, code, `publicShares[${i}].publicShare`));
  decodeElement(gpk, code, 'groupPublicKey');
  const base = entries.slice(0, threshold).map((e) => e.index);
  const at = (x: number): Uint8Array => {
    const l = lagrangeAt(x, base);
    let acc = IDENTITY;
    for (let i = 0; i < threshold; i++) acc = add(mul(l[i]!, points[i]!), acc);
    return acc;
  };
  if (!equalBytes(at(0), gpk)) fail('the public shares do not interpolate to the group public key');
  for (let i = threshold; i < entries.length; i++) {
    if (!equalBytes(at(entries[i]!.index), keys[i]!)) fail(`public share of "${entries[i]!.name}" is not on the group's polynomial`);
  }
  return keys;
}
