// Picks the issuer key a bundle names by `kid` out of a JWKS (RFC 7517 §5) and checks it is a key
// the circuit can use: RSA, 2048-bit modulus, e = 65537, and not restricted to another algorithm
// or use. The JWKS is untrusted input (a file, an HTTP response): every defect is a VeilError.
import { VeilError } from '@veil/crypto';

/** A JSON Web Key Set: `{ "keys": [...] }`. */
export interface Jwks {
  keys: JsonWebKey[];
}

/** An RSA public JWK with its modulus decoded. */
export interface RsaIssuerKey {
  jwk: JsonWebKey & { kid: string; n: string; e: string };
  modulus: bigint;
}

function b64urlToBigint(s: string): bigint | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(s)) return undefined;
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  let hex = '';
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  for (let i = 0; i < bin.length; i++) hex += bin.charCodeAt(i).toString(16).padStart(2, '0');
  return hex ? BigInt(`0x${hex}`) : undefined;
}

/**
 * Checks one JWK as an RS256 issuer key.
 * @throws VeilError ERR_KEY_UNSUPPORTED
 */
export function rsaIssuerKey(jwk: JsonWebKey & { kid?: unknown }): RsaIssuerKey {
  const fail = (why: string): never => {
    throw new VeilError('ERR_KEY_UNSUPPORTED', `issuer key ${String(jwk.kid ?? '(no kid)')}: ${why}`);
  };
  if (jwk.kty !== 'RSA') fail(`kty must be RSA, got ${String(jwk.kty)}`);
  if (jwk.alg !== undefined && jwk.alg !== 'RS256') fail(`alg must be RS256, got ${String(jwk.alg)}`);
  if (jwk.use !== undefined && jwk.use !== 'sig') fail(`use must be sig, got ${String(jwk.use)}`);
  if (jwk.e !== 'AQAB') fail('public exponent must be 65537');
  if (typeof jwk.n !== 'string') fail('missing modulus n');
  const modulus = b64urlToBigint(jwk.n as string);
  if (modulus === undefined || modulus.toString(2).length !== 2048) fail('modulus must be 2048 bits');
  return { jwk: jwk as RsaIssuerKey['jwk'], modulus: modulus as bigint };
}

/**
 * The key with `kid` in `jwks`.
 * @throws VeilError ERR_JWKS_MALFORMED, ERR_KEY_UNKNOWN, ERR_KEY_UNSUPPORTED
 */
export function selectIssuerKey(jwks: unknown, kid: string): RsaIssuerKey {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(keys)) {
    throw new VeilError('ERR_JWKS_MALFORMED', 'JWKS must be an object { "keys": [...] }');
  }
  const matches = keys.filter((k): k is JsonWebKey & { kid: string } => typeof k === 'object' && k !== null && k.kid === kid);
  if (matches.length === 0) throw new VeilError('ERR_KEY_UNKNOWN', `no key with kid ${JSON.stringify(kid)} in the JWKS`);
  const [first, ...rest] = matches.map(rsaIssuerKey);
  if (rest.some((k) => k.modulus !== first!.modulus)) {
    throw new VeilError('ERR_KEY_UNKNOWN', `kid ${JSON.stringify(kid)} names several different keys in the JWKS`);
  }
  return first!;
}
