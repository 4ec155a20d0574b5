/**
 * The membership statement of each issuer variant, clause by clause, evaluated on an ID token in
 * TypeScript: what `veil membership inspect` prints and what `buildInputs` pre-checks (it throws the
 * first failed clause's code). Limits come from MEMBERSHIP_PARAMS (the circuit's constants).
 *
 * Variants (the group each one proves):
 * - `oidc`: the email's domain (or `domain`), with `email_verified: true` — today's circuit.
 * - `google`: the Workspace primary domain, bound as the top-level `hd` string byte-for-byte, plus
 *   `email_verified: true`. Google documents `hd` as the domain of the user's Workspace/Cloud
 *   organisation, present only for such accounts, and tells relying parties to check `hd`, not the
 *   email's domain. The email's own domain is not parsed: a secondary domain of the same Workspace
 *   carries the same `hd` and is the same organisation.
 * - `entra`: the tenant: `tid` a GUID, `iss` = https://login.microsoftonline.com/<tid>/v2.0,
 *   `ver` = "2.0", `aud`, `nonce`; the personal-accounts tenant is refused (not an organisation).
 *   Entra has no `email_verified`; the email's domain is bound only on request (`emailDomain`) and
 *   only when `xms_edov` is true or "1" (Microsoft documents a boolean; real tokens carry "1").
 *
 * Not checked: `exp`/`nbf` (the circuits do not read them; the ephemeral key's expiry is bound to
 * `iat` instead), that the key belongs to the issuer (the verifier's JWKS decides), the audience's
 * expected value (the verifier's). Trust: none — every input is untrusted.
 */
import { VeilError } from './errors.ts';
import { parseToken, rawTopLevelString, type ParsedToken } from './lib/parse-token.ts';
import { nonce as computeNonce, saltToField, expiryToBigInt } from './nonce.ts';
import { rsaModulusFromJwk } from './public-inputs.ts';
import { MEMBERSHIP_PARAMS as P } from './membership-params.ts';
import { ENTRA_CONSUMER_TENANT, TENANT_GUID, entraIssuer } from './lib/entra-tenant.ts';

/** The issuer variants a membership statement exists for. */
export const VARIANTS = Object.freeze(['google', 'entra', 'oidc'] as const);
export type Variant = (typeof VARIANTS)[number];

/** Google's issuer identifiers (the discovery document allows both). */
export const GOOGLE_ISSUERS: readonly string[] = Object.freeze(['https://accounts.google.com', 'accounts.google.com']);
export { ENTRA_CONSUMER_TENANT };
const ENTRA_ISS = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/;

/** One clause of a statement; `code` is the VeilError code a failed clause maps to. */
export interface Clause {
  name: string;
  ok: boolean;
  reason: string;
  code?: string;
}

/** One size against the circuit's limit. */
export interface Size {
  name: string;
  value: number;
  limit: number;
}

/** What inspectToken reports. */
export interface Inspection {
  variant: Variant;
  clauses: Clause[];
  sizes: Size[];
}

/** Options of inspectToken. */
export interface InspectOptions {
  /** Statement to check (default: chosen from `iss` by `variantForIssuer`). */
  variant?: Variant;
  /** The group: oidc the email domain, google the `hd` value, entra the tenant id (default: the token's own). */
  domain?: string;
  /** entra: the email domain to bind (needs `xms_edov` true or "1"); default: not bound. */
  emailDomain?: string;
  /** The ephemeral key the nonce must commit to; without it the nonce clause fails "not given". */
  nonce?: { epk: Uint8Array; salt: bigint | Uint8Array; expiry: number | bigint };
}

/**
 * The default variant for an issuer: Google's → google, Microsoft's v2.0 tenant issuer → entra, else oidc.
 * @example
 * variantForIssuer('https://accounts.google.com'); // 'google'
 */
export function variantForIssuer(iss: unknown): Variant {
  if (typeof iss !== 'string') return 'oidc';
  if (GOOGLE_ISSUERS.includes(iss)) return 'google';
  if (ENTRA_ISS.test(iss)) return 'entra';
  return 'oidc';
}

/**
 * The default variant of a token: `variantForIssuer` of its `iss`.
 * @example
 * const variant = variantForToken(token); // 'google' for a Google ID token
 * @throws {VeilError} ERR_TOKEN_MALFORMED when the token cannot be decoded.
 */
export function variantForToken(token: string): Variant {
  return variantForIssuer(parseToken(token).payload.iss);
}

/**
 * Checks a variant name (CLI flag, config) and returns it.
 * @example
 * aVariant('google');
 * @throws {VeilError} ERR_VARIANT_UNKNOWN.
 */
export function aVariant(name: unknown): Variant {
  if (typeof name !== 'string' || !(VARIANTS as readonly string[]).includes(name)) {
    throw new VeilError('ERR_VARIANT_UNKNOWN', `unknown variant ${JSON.stringify(name)}; one of ${VARIANTS.join(', ')}`);
  }
  return name as Variant;
}

const pass = (name: string, reason: string): Clause => ({ name, ok: true, reason });
const failed = (name: string, code: string, reason: string): Clause => ({ name, ok: false, reason, code });
const bytes = (s: string): number => new TextEncoder().encode(s).length;

/**
 * RS256 under a 2048-bit, e = 65537 key, with a kid on both sides when `publicHeader` (every
 * statement publishes the header; its verifier requires the kid of the key it uses). Internal: also
 * `verifyIdToken`, which does not publish the header.
 */
export async function signatureClause(t: ParsedToken, jwk: JsonWebKey, publicHeader = false): Promise<Clause> {
  const n = 'signature';
  if (t.header.alg !== 'RS256') return failed(n, 'ERR_TOKEN_ALG', `token alg is ${JSON.stringify(t.header.alg)}, expected RS256`);
  const kid = t.header.kid;
  const jwkKid = (jwk as { kid?: unknown }).kid;
  if (publicHeader && (typeof kid !== 'string' || typeof jwkKid !== 'string')) {
    return failed(n, 'ERR_KEY_MISMATCH', 'token header and key must both carry a kid (the statement publishes the header)');
  }
  if (typeof kid === 'string' && typeof jwkKid === 'string' && kid !== jwkKid) {
    return failed(n, 'ERR_KEY_MISMATCH', `token kid ${JSON.stringify(kid)} does not match the key's kid ${JSON.stringify(jwkKid)}`);
  }
  if (jwk.kty !== 'RSA') return failed(n, 'ERR_KEY_SIZE', 'key is not an RSA key');
  const modulus = rsaModulusFromJwk(jwk);
  if (modulus >> 2047n !== 1n) return failed(n, 'ERR_KEY_SIZE', `RSA modulus is ${modulus.toString(2).length} bits, expected 2048`);
  if (jwk.e !== 'AQAB') return failed(n, 'ERR_KEY_EXPONENT', 'RSA public exponent must be 65537');
  let ok = false;
  if (t.signature.length === 256) {
    const key = await crypto.subtle.importKey('jwk', { kty: 'RSA', n: jwk.n!, e: jwk.e, ext: true }, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, t.signature as Uint8Array<ArrayBuffer>, t.signingInput as Uint8Array<ArrayBuffer>);
  }
  return ok ? pass(n, 'RS256 verifies under the 2048-bit key') : failed(n, 'ERR_SIGNATURE_INVALID', 'token signature does not verify under the key');
}

/** A required top-level string claim of at most `limit` bytes, or the failed clause. */
function stringClaim(t: ParsedToken, clause: string, claim: string, limit: number): string | Clause {
  const v = t.payload[claim];
  if (v === undefined) return failed(clause, 'ERR_CLAIM_MISSING', `token has no ${claim} claim`);
  if (typeof v !== 'string') return failed(clause, 'ERR_CLAIM_INVALID', `token ${claim} claim is not a string`);
  if (bytes(v) > limit) return failed(clause, 'ERR_CLAIM_TOO_LONG', `${claim} is ${bytes(v)} bytes; the circuit takes at most ${limit}`);
  return v;
}

function issClause(t: ParsedToken, variant: Variant): Clause {
  const iss = stringClaim(t, 'iss', 'iss', P.issBytes);
  if (typeof iss !== 'string') return iss;
  if (variant === 'google' && !GOOGLE_ISSUERS.includes(iss)) return failed('iss', 'ERR_CLAIM_INVALID', `iss ${JSON.stringify(iss)} is not Google's (${GOOGLE_ISSUERS.join(' or ')})`);
  if (variant === 'entra') {
    const tid = t.payload.tid;
    const want = entraIssuer(typeof tid === 'string' ? tid : '<tid>');
    if (iss !== want) return failed('iss', 'ERR_CLAIM_INVALID', `iss ${JSON.stringify(iss)} is not ${want}`);
  }
  return pass('iss', JSON.stringify(iss));
}

function audClause(t: ParsedToken): Clause {
  const aud = stringClaim(t, 'aud', 'aud', P.audBytes);
  return typeof aud === 'string' ? pass('aud', JSON.stringify(aud)) : aud;
}

function groupDomainClause(name: string, value: string, domain: string | undefined, what: string): Clause {
  if (bytes(value) === 0) return failed(name, 'ERR_CLAIM_INVALID', `${what} is empty`);
  if (bytes(value) > P.domainBytes) return failed(name, 'ERR_CLAIM_TOO_LONG', `${what} is ${bytes(value)} bytes; the circuit takes at most ${P.domainBytes}`);
  if (domain !== undefined && value !== domain) return failed(name, 'ERR_DOMAIN_MISMATCH', `${what} ${JSON.stringify(value)} is not ${JSON.stringify(domain)}`);
  return pass(name, `${what} ${JSON.stringify(value)}`);
}

function hdClause(t: ParsedToken, domain: string | undefined): Clause {
  const hd = stringClaim(t, 'hd', 'hd', P.domainBytes);
  if (typeof hd !== 'string') return hd.code === 'ERR_CLAIM_MISSING' ? { ...hd, reason: 'token has no hd claim: not a Google Workspace account' } : hd;
  return groupDomainClause('hd', hd, domain, 'Workspace domain (hd)');
}

function tidClause(t: ParsedToken, domain: string | undefined): Clause {
  const tid = stringClaim(t, 'tid', 'tid', P.domainBytes);
  if (typeof tid !== 'string') return tid;
  if (!TENANT_GUID.test(tid)) return failed('tid', 'ERR_CLAIM_INVALID', `tid ${JSON.stringify(tid)} is not a lowercase GUID`);
  if (tid === ENTRA_CONSUMER_TENANT) return failed('tid', 'ERR_TENANT_CONSUMER', `tid ${tid} is Microsoft's personal-accounts tenant, not an organisation`);
  return groupDomainClause('tid', tid, domain, 'tenant (tid)');
}

function verClause(t: ParsedToken): Clause {
  const ver = t.payload.ver;
  if (ver === undefined) return failed('ver', 'ERR_CLAIM_MISSING', 'token has no ver claim');
  return ver === '2.0' ? pass('ver', '"2.0"') : failed('ver', 'ERR_CLAIM_INVALID', `ver is ${JSON.stringify(ver)}, expected "2.0"`);
}

/** The email claim; for oidc its domain is the group. Returns the clause and the email's domain (internal: also `verifyIdToken`). */
export function emailClause(t: ParsedToken, variant: Variant, domain: string | undefined): { clause: Clause; emailDomain: string } {
  const v = t.payload.email;
  if (variant === 'entra' && domain === undefined) {
    // not bound: the tenant is the group; say whether it could be
    const at = typeof v === 'string' ? v.lastIndexOf('@') : -1;
    const d = at >= 0 ? (v as string).slice(at + 1) : '';
    const what = v === undefined ? 'absent' : `domain ${JSON.stringify(d)}`;
    return { clause: pass('email', `${what}; not bound (the group is the tenant${edovTrue(t) ? '; xms_edov would allow binding it' : ''})`), emailDomain: d };
  }
  const email = stringClaim(t, 'email', 'email', P.emailBytes);
  if (typeof email !== 'string') return { clause: email, emailDomain: '' };
  const at = email.lastIndexOf('@');
  const emailDomain = at >= 0 ? email.slice(at + 1) : '';
  if (at <= 0 || email.indexOf('@') !== at || emailDomain.length === 0) {
    return { clause: failed('email', 'ERR_CLAIM_INVALID', 'token email is not <local>@<domain>'), emailDomain };
  }
  if (variant === 'oidc') return { clause: groupDomainClause('email', emailDomain, domain, 'email domain'), emailDomain };
  if (variant === 'google') return { clause: pass('email', `domain ${JSON.stringify(emailDomain)} not bound (hd is the organisation)`), emailDomain };
  // entra binding the email domain: the tenant must vouch for it (xms_edov, the `verified` clause)
  const bound = groupDomainClause('email', emailDomain, domain, 'email domain');
  return { clause: bound.ok ? { ...bound, reason: `${bound.reason}; bound (the tenant must vouch for it: xms_edov)` } : bound, emailDomain };
}

/** xms_edov as Entra issues it: documented as a boolean, real tokens carry the string "1". */
const edovTrue = (t: ParsedToken): boolean => t.payload.xms_edov === true || t.payload.xms_edov === '1';

/** The verified flag: `email_verified: true`; entra: `xms_edov` when the email domain is bound (internal: also `verifyIdToken`). */
export function verifiedClause(t: ParsedToken, variant: Variant, emailDomain?: string): Clause {
  if (variant === 'entra') {
    const edov = t.payload.xms_edov;
    if (edovTrue(t)) return pass('verified', `xms_edov ${JSON.stringify(edov)}`);
    if (emailDomain !== undefined) {
      if (edov === undefined) return failed('verified', 'ERR_CLAIM_MISSING', 'token has no xms_edov claim: the tenant does not vouch for the email domain');
      return failed('verified', 'ERR_EMAIL_UNVERIFIED', `token xms_edov is ${JSON.stringify(edov)}, not true or "1"`);
    }
    return pass('verified', 'not required: the tenant is the group (no email_verified in Entra tokens)');
  }
  const v = t.payload[P.verifiedClaim];
  if (v === undefined) return failed('verified', 'ERR_CLAIM_MISSING', `token has no ${P.verifiedClaim} claim`);
  if (v !== true) return failed('verified', 'ERR_EMAIL_UNVERIFIED', `token ${P.verifiedClaim} is ${JSON.stringify(v)}, not true`);
  return pass('verified', `${P.verifiedClaim} true`);
}

async function nonceClause(t: ParsedToken, given: InspectOptions['nonce']): Promise<Clause> {
  if (given === undefined) return failed('nonce', 'ERR_NONCE_MISMATCH', 'not given');
  const n = stringClaim(t, 'nonce', 'nonce', 64);
  if (typeof n !== 'string') return n;
  const expected = await computeNonce(given.epk, saltToField(given.salt), expiryToBigInt(given.expiry));
  return n === expected ? pass('nonce', 'nonce(epk, salt, expiry)') : failed('nonce', 'ERR_NONCE_MISMATCH', 'token nonce is not nonce(epk, salt, expiry)');
}

function expiryClause(t: ParsedToken, given: InspectOptions['nonce']): Clause {
  const iat = t.payload.iat;
  if (iat === undefined) return failed('expiry', 'ERR_CLAIM_MISSING', 'token has no iat claim');
  if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0 || String(iat).length > P.iatDigits) {
    return failed('expiry', 'ERR_CLAIM_INVALID', `token iat is not a non-negative integer of at most ${P.iatDigits} digits`);
  }
  const window = `iat + ${P.expiryWindow / 86400} days`;
  if (given === undefined) return pass('expiry', `iat ${iat}; expiry not given (must be <= ${window})`);
  if (expiryToBigInt(given.expiry) > BigInt(iat) + BigInt(P.expiryWindow)) return failed('expiry', 'ERR_EXPIRY_TOO_FAR', `expiry is more than ${window}`);
  return pass('expiry', `expiry <= ${window}`);
}

const READS: Record<Variant, { strings: string[]; literals: string[] }> = {
  oidc: { strings: ['iss', 'aud', 'email', 'nonce'], literals: [P.verifiedClaim, 'iat'] },
  google: { strings: ['iss', 'aud', 'hd', 'email', 'nonce'], literals: [P.verifiedClaim, 'iat'] },
  entra: { strings: ['iss', 'aud', 'tid', 'ver', 'nonce', 'email'], literals: ['xms_edov', 'iat'] },
};

/** Every claim the circuit reads is a top-level member written as plain text (the circuit compares text). */
function topLevelKeysClause(t: ParsedToken, variant: Variant): Clause {
  const { strings, literals } = READS[variant];
  for (const name of [...strings, ...literals]) {
    if (t.payload[name] === undefined) continue;
    if (!t.members.has(name)) return failed('top-level-keys', 'ERR_CLAIM_INVALID', `token ${name} claim is not a top-level key as written (escaped key)`);
  }
  for (const name of strings) {
    if (typeof t.payload[name] !== 'string') continue;
    if (rawTopLevelString(t, name) !== t.payload[name]) return failed('top-level-keys', 'ERR_CLAIM_INVALID', `token ${name} claim uses JSON escapes`);
  }
  return pass('top-level-keys', [...strings, ...literals].filter((k) => t.members.has(k)).join(', '));
}

/** No top-level key twice (internal: also `verifyIdToken`). */
export function duplicatesClause(t: ParsedToken): Clause {
  return t.duplicate === undefined
    ? pass('duplicates', 'no top-level key twice')
    : failed('duplicates', 'ERR_TOKEN_DUPLICATE_CLAIM', `token payload has the claim ${JSON.stringify(t.duplicate)} more than once`);
}

/** The token's sizes against the circuit's limits. */
export function tokenSizes(t: ParsedToken, emailDomain: string): Size[] {
  const len = (k: string): number => (typeof t.payload[k] === 'string' ? bytes(t.payload[k] as string) : 0);
  return [
    { name: 'signed bytes', value: t.signingInput.length, limit: P.maxSignedBytes },
    { name: 'hashed bytes', value: t.dataLen, limit: P.maxDataLen },
    { name: 'nesting', value: t.depth, limit: P.maxJsonDepth },
    { name: 'iss bytes', value: len('iss'), limit: P.issBytes },
    { name: 'aud bytes', value: len('aud'), limit: P.audBytes },
    { name: 'email bytes', value: len('email'), limit: P.emailBytes },
    { name: 'domain bytes', value: bytes(emailDomain), limit: P.domainBytes },
    { name: 'hd bytes', value: len('hd'), limit: P.domainBytes },
    { name: 'iat digits', value: typeof t.payload.iat === 'number' ? String(t.payload.iat).length : 0, limit: P.iatDigits },
  ];
}

function sizesClause(sizes: Size[]): Clause {
  const over = sizes.filter((s) => s.value > s.limit);
  if (over.length === 0) return pass('sizes', "within the circuit's limits");
  const first = over[0]!.name;
  const code = first === 'nesting' ? 'ERR_TOKEN_TOO_DEEP' : first === 'signed bytes' || first === 'hashed bytes' ? 'ERR_TOKEN_TOO_LONG' : 'ERR_CLAIM_TOO_LONG';
  return failed('sizes', code, over.map((s) => `${s.name} ${s.value} > ${s.limit}`).join('; '));
}

/**
 * The clauses of `variant`'s statement on a parsed token, in the order buildInputs checks them.
 * Internal to @veil/crypto (buildInputs and inspectToken).
 */
export async function statementClauses(t: ParsedToken, jwk: JsonWebKey, variant: Variant, opts: InspectOptions): Promise<{ clauses: Clause[]; sizes: Size[] }> {
  const email = emailClause(t, variant, variant === 'oidc' ? opts.domain : variant === 'entra' ? opts.emailDomain : undefined);
  const sizes = tokenSizes(t, email.emailDomain);
  const clauses = [
    await signatureClause(t, jwk, true),
    issClause(t, variant),
    ...(variant === 'entra' ? [verClause(t)] : []),
    audClause(t),
    ...(variant === 'google' ? [hdClause(t, opts.domain)] : []),
    ...(variant === 'entra' ? [tidClause(t, opts.domain)] : []),
    email.clause,
    verifiedClause(t, variant, variant === 'entra' ? opts.emailDomain : undefined),
    await nonceClause(t, opts.nonce),
    expiryClause(t, opts.nonce),
    topLevelKeysClause(t, variant),
    duplicatesClause(t),
    sizesClause(sizes),
  ];
  return { clauses, sizes };
}

/**
 * Evaluates each clause of a variant's membership statement on an ID token, and its sizes against
 * the circuit's limits: why a token will (not) prove.
 *
 * @example
 * import { inspectToken } from '@veil/crypto';
 * const { variant, clauses } = await inspectToken(token, jwk);
 * const ok = clauses.every((c) => c.ok);
 * @throws {VeilError} ERR_TOKEN_MALFORMED when the token cannot be decoded at all; ERR_VARIANT_UNKNOWN.
 * @throws {TypeError} on a malformed jwk, options, or nonce inputs.
 */
export async function inspectToken(token: string, jwk: JsonWebKey, opts: InspectOptions = {}): Promise<Inspection> {
  if (typeof token !== 'string') throw new TypeError('token must be a string');
  if (typeof jwk !== 'object' || jwk === null) throw new TypeError('jwk must be a JsonWebKey object');
  if (typeof opts !== 'object' || opts === null) throw new TypeError('opts must be an object');
  if (opts.domain !== undefined && typeof opts.domain !== 'string') throw new TypeError('opts.domain must be a string');
  if (opts.emailDomain !== undefined && typeof opts.emailDomain !== 'string') throw new TypeError('opts.emailDomain must be a string');
  const t = parseToken(token);
  const variant = opts.variant === undefined ? variantForIssuer(t.payload.iss) : aVariant(opts.variant);
  const { clauses, sizes } = await statementClauses(t, jwk, variant, opts);
  return { variant, clauses: clauses.map(({ name, ok, reason }) => ({ name, ok, reason })), sizes };
}
