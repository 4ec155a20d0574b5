/**
 * Verifies an OIDC ID token outside a circuit, with the same clause code the membership statement
 * uses (`inspect-token.ts`): the identity service checks this way the token a person hands it to
 * join a `member:<domain>` group. Checks, in order (the first failure's code is thrown):
 *   1. compact JWS of JSON objects, no top-level key twice (ERR_TOKEN_MALFORMED, ERR_TOKEN_DUPLICATE_CLAIM);
 *   2. `iss` one of the allow-listed issuers (ERR_ISSUER_UNKNOWN);
 *   3. RS256 under the issuer's key named by `kid`, 2048-bit, e = 65537 (ERR_ISSUER_KEY_UNKNOWN,
 *      ERR_TOKEN_ALG, ERR_KEY_SIZE, ERR_KEY_EXPONENT, ERR_SIGNATURE_INVALID);
 *   4. `aud` the client id configured for that issuer, a string (ERR_AUD_MISMATCH);
 *   5. `exp` a number in the future, `iat` not in the future (ERR_TOKEN_EXPIRED, ERR_CLAIM_INVALID), 60 s leeway;
 *   6. `email_verified === true` (ERR_EMAIL_UNVERIFIED);
 *   7. `nonce` the caller's expected value: binds the token to one request (ERR_NONCE_MISMATCH);
 *   8. `email` is <local>@<domain> with domain byte for byte the expected one (ERR_DOMAIN_MISMATCH);
 *   9. `sub` a non-empty string of at most 255 bytes (ERR_CLAIM_MISSING, ERR_CLAIM_INVALID).
 * Trust: the caller's key lookup must read keys from the issuer itself, never from the token's sender.
 * Not checked: `nbf`, `azp`, `auth_time`, `acr` (no Veil issuer sets them for this use); revocation.
 */
import { VeilError } from './errors.ts';
import { parseToken } from './lib/parse-token.ts';
import { duplicatesClause, emailClause, signatureClause, verifiedClause, type Clause } from './inspect-token.ts';

/** An issuer whose tokens are accepted and the client id (`aud`) they must be minted for. */
export interface AcceptedIssuer {
  iss: string;
  aud: string;
}

/** Options of verifyIdToken. */
export interface VerifyIdTokenOptions {
  issuers: readonly AcceptedIssuer[];
  /** The issuer's published key with this `kid` (undefined when it publishes none). */
  key(iss: string, kid: string): Promise<JsonWebKey | undefined>;
  /** The email domain the token must name. */
  domain: string;
  /** The `nonce` the token must carry. */
  nonce: string;
  /** Current time, seconds since the epoch. */
  now: number;
}

/** What a verified token says about its subject. */
export interface VerifiedIdToken {
  iss: string;
  sub: string;
  aud: string;
  email: string;
}

const LEEWAY_S = 60;

const must = (c: Clause): void => {
  if (!c.ok) throw new VeilError(c.code ?? 'ERR_TOKEN_INVALID', c.reason);
};

/**
 * @example
 * import { verifyIdToken } from '@veil/crypto/verify-id-token';
 * const { iss, sub } = await verifyIdToken(token, { issuers: [{ iss, aud }], key: (iss, kid) => lookup(iss, kid), domain: 'acme.test', nonce, now: Date.now() / 1000 });
 * @throws VeilError with the codes listed in the file header.
 * @throws TypeError on malformed options.
 */
export async function verifyIdToken(token: string, o: VerifyIdTokenOptions): Promise<VerifiedIdToken> {
  if (typeof token !== 'string') throw new TypeError('token must be a string');
  if (!Array.isArray(o?.issuers) || typeof o.key !== 'function' || typeof o.domain !== 'string' || typeof o.nonce !== 'string' || !Number.isFinite(o.now)) {
    throw new TypeError('issuers, key, domain, nonce and now are required');
  }
  if (token.length > 16_384) throw new VeilError('ERR_TOKEN_MALFORMED', 'token is longer than 16 KiB');
  const t = parseToken(token);
  must(duplicatesClause(t));
  const p = t.payload;
  const issuer = o.issuers.find((i) => i.iss === p.iss);
  if (!issuer) throw new VeilError('ERR_ISSUER_UNKNOWN', `issuer ${JSON.stringify(p.iss)} is not accepted`);
  const kid = t.header.kid;
  if (typeof kid !== 'string') throw new VeilError('ERR_ISSUER_KEY_UNKNOWN', 'token header has no kid');
  const jwk = (await o.key(issuer.iss, kid)) ?? fail('ERR_ISSUER_KEY_UNKNOWN', `the issuer publishes no key ${JSON.stringify(kid)}`);
  must(await signatureClause(t, jwk));
  if (p.aud !== issuer.aud) throw new VeilError('ERR_AUD_MISMATCH', `aud is not the client id accepted for ${issuer.iss}`);
  if (typeof p.exp !== 'number' || !Number.isFinite(p.exp)) throw new VeilError('ERR_CLAIM_MISSING', 'token has no numeric exp claim');
  if (p.exp + LEEWAY_S <= o.now) throw new VeilError('ERR_TOKEN_EXPIRED', 'the token has expired');
  if (typeof p.iat !== 'number' || p.iat - LEEWAY_S > o.now) throw new VeilError('ERR_CLAIM_INVALID', 'token iat is missing or in the future');
  must(verifiedClause(t, 'oidc'));
  if (p.nonce !== o.nonce) throw new VeilError('ERR_NONCE_MISMATCH', 'the token nonce is not the one this request needs (token replayed for another request?)');
  must(emailClause(t, 'oidc', o.domain).clause);
  if (typeof p.sub !== 'string' || p.sub.length === 0) throw new VeilError('ERR_CLAIM_MISSING', 'token has no sub claim');
  if (new TextEncoder().encode(p.sub).length > 255) throw new VeilError('ERR_CLAIM_INVALID', 'token sub is longer than 255 bytes');
  return { iss: issuer.iss, sub: p.sub, aud: issuer.aud, email: p.email as string };
}

function fail(code: string, message: string): never {
  throw new VeilError(code, message);
}
