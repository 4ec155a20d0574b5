/**
 * The JWS header as public inputs (`circuits/lib/jwt/src/header.nr`, issue 12 "public header
 * prefix"): the header (alg, kid, typ) is the same for every user of an issuer key, so a verifier
 * takes it from the bundle, checks it itself (alg RS256, the kid of the key it verifies with) and
 * recomputes what the circuit takes as public: the SHA-256 chaining state after the header's first
 * `header_prefix_len` bytes (whole 64-byte blocks, cut as `parseToken` cuts them) and the rest of it,
 * the `header_tail`, packed 31 bytes per field. Nothing of the signing input before the payload is
 * then left to the prover (the prefix state was a free private input before).
 */
import { VeilError } from './errors.ts';
import { base64urlDecode } from './lib/base64url.ts';
import { headerPrefixLen } from './lib/parse-token.ts';
import { sha256PrefixState } from './lib/sha256-state.ts';
import { packBytes } from './lib/pack.ts';

/** Packed fields of the public header tail. */
export const HEADER_TAIL_FIELDS = 3;
/** Max tail bytes (the prefix ends at the last 64-byte boundary at least 3 characters before the '.'). */
export const HEADER_TAIL_BYTES = 66;

/** The public header inputs as noir_js values. */
export interface PublicHeaderValues {
  /** SHA-256 chaining state after the prefix, 8 u32 words. */
  header_state: number[];
  header_prefix_len: number;
  /** The tail's ASCII packed 31 bytes per field (bigint; the caller formats). */
  header_tail: bigint[];
  header_tail_len: number;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The circuit's public header inputs for base64url(header) `h64` as it appears in the token.
 * @example
 * const v = publicHeaderValues(token.split('.')[0]);
 * @throws {TypeError} when h64 is not base64url text of 3..(64k + 66) characters.
 */
export function publicHeaderValues(h64: string): PublicHeaderValues {
  if (typeof h64 !== 'string' || !B64URL.test(h64) || h64.length < 3) throw new TypeError('header must be base64url text of at least 3 characters');
  const ascii = new TextEncoder().encode(h64);
  const prefixLen = headerPrefixLen(h64.length);
  const tail = ascii.subarray(prefixLen);
  return {
    header_state: Array.from(sha256PrefixState(ascii.subarray(0, prefixLen))),
    header_prefix_len: prefixLen,
    header_tail: packBytes(tail, HEADER_TAIL_FIELDS),
    header_tail_len: tail.length,
  };
}

/**
 * A verifier's check of the header a bundle carries: base64url of a JSON object with alg "RS256"
 * and a kid equal to the kid of the key the verifier checks the proof under (both required: the
 * kid is what ties the proof to one key of the issuer's JWKS). Returns the decoded header.
 * @example
 * checkPublicHeader(bundle.claims.header, jwk);
 * @throws {VeilError} ERR_TOKEN_MALFORMED (not base64url JSON), ERR_TOKEN_ALG, ERR_KEY_MISMATCH.
 */
export function checkPublicHeader(h64: unknown, jwk: JsonWebKey): Record<string, unknown> {
  if (typeof h64 !== 'string' || !B64URL.test(h64)) throw new VeilError('ERR_TOKEN_MALFORMED', 'header must be base64url text');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64urlDecode(h64, 'header')));
  } catch (e) {
    throw new VeilError('ERR_TOKEN_MALFORMED', 'header is not base64url UTF-8 JSON', { cause: e });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new VeilError('ERR_TOKEN_MALFORMED', 'header is not a JSON object');
  const h = header as Record<string, unknown>;
  if (h.alg !== 'RS256') throw new VeilError('ERR_TOKEN_ALG', `header alg is ${JSON.stringify(h.alg)}, expected RS256`);
  const jwkKid = (jwk as { kid?: unknown }).kid;
  if (typeof h.kid !== 'string' || typeof jwkKid !== 'string' || h.kid !== jwkKid) {
    throw new VeilError('ERR_KEY_MISMATCH', `header kid ${JSON.stringify(h.kid)} is not the key's kid ${JSON.stringify(jwkKid)}`);
  }
  return h;
}
