/**
 * Public inputs of the membership circuits, rebuilt by a verifier from what it expects (issuer key
 * from the JWKS, iss, aud, domain) and from the proof's claims (epk, expiry, header) — never taken
 * from the prover. Order and encoding are those of `circuits/membership/src/main.nr` (oidc, and
 * google with `domain` = hd) and bb.js `publicInputs` (0x + 64 hex digits each), 50 in all:
 *   modulus[18]  RSA-2048 modulus, 120-bit limbs, least significant first
 *   iss[5], iss_len, aud[5], aud_len, domain[3], domain_len
 *                UTF-8 bytes packed 31 per field (big-endian chunks, zero padding), byte length
 *   epk_hi, epk_lo   big-endian halves of the 32-byte Ed25519 key
 *   expiry       unix seconds (u64)
 *   header_state[8], header_prefix_len, header_tail[3], header_tail_len
 *                the public JWS header (`public-header.ts`)
 * Circuits released before the public header (verify only, until their `acceptedUntil`) take the
 * first 37. Entra's circuit has its own 46 (`encodeEntraPublicInputs`).
 * Strings are compared by the circuit with the token's JSON text, so they must not contain '"', '\'
 * or control characters (a TypeError here).
 */
import { toLimbs } from './lib/rsa-limbs.ts';
import { base64urlDecode } from './lib/base64url.ts';
import { bytesToBigInt, fieldHex, packBytes } from './lib/pack.ts';
import { epkToFields, expiryToBigInt } from './nonce.ts';
import { MEMBERSHIP_PARAMS as P } from './membership-params.ts';
import { VeilError } from './errors.ts';
import { checkPublicHeader, publicHeaderValues } from './public-header.ts';
import { ENTRA_CONSUMER_TENANT, TENANT_GUID } from './lib/entra-tenant.ts';

/** What the membership circuit's public inputs say. */
export interface MembershipPublic {
  modulus: bigint;
  iss: string;
  aud: string;
  domain: string;
  epk: Uint8Array;
  expiry: number | bigint;
  /** base64url(header) as in the token. */
  header: string;
}

/** The public header as noir_js values (every membership circuit's last four inputs). */
export interface HeaderInputValues {
  header_state: number[];
  header_prefix_len: number;
  header_tail: string[];
  header_tail_len: number;
}

/** The public inputs as noir_js values (name -> value), shared with buildInputs. */
export interface PublicInputValues extends HeaderInputValues {
  modulus: string[];
  iss: string[];
  iss_len: number;
  aud: string[];
  aud_len: number;
  domain: string[];
  domain_len: number;
  epk_hi: string;
  epk_lo: string;
  expiry: string;
}

const n = (x: number | string): string => fieldHex(BigInt(x));

function headerInputValues(h64: string): HeaderInputValues {
  const h = publicHeaderValues(h64);
  return { ...h, header_tail: h.header_tail.map(fieldHex) };
}

const headerFields = (v: HeaderInputValues): string[] => [...v.header_state.map(n), n(v.header_prefix_len), ...v.header_tail, n(v.header_tail_len)];

const UNSAFE = /["\\\u0000-\u001f]/;

/** UTF-8 of a public string claim, checked for length and JSON-text safety. */
export function publicStringBytes(name: string, value: unknown, max: number): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  if (UNSAFE.test(value)) throw new TypeError(`${name} must not contain '"', '\\' or control characters`);
  const bytes = new TextEncoder().encode(value);
  if (bytes.length > max) throw new TypeError(`${name} is ${bytes.length} bytes; the circuit takes at most ${max}`);
  return bytes;
}

/** The RSA modulus of a JWK (`n`, base64url) as a bigint. */
export function rsaModulusFromJwk(jwk: JsonWebKey): bigint {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.n !== 'string') throw new TypeError('jwk must be an RSA JWK with n');
  return bytesToBigInt(base64urlDecode(jwk.n, 'jwk.n'));
}

/** The public inputs as named noir_js values (a prover's tool: the header is not checked here). */
export function publicInputValues(p: MembershipPublic): PublicInputValues {
  return { ...claimValues(p), ...headerInputValues(p.header) };
}

function claimValues(p: Omit<MembershipPublic, 'header'>): Omit<PublicInputValues, keyof HeaderInputValues> {
  if (typeof p !== 'object' || p === null) throw new TypeError('public inputs must be an object');
  if (typeof p.modulus !== 'bigint' || p.modulus <= 0n || p.modulus >> 2048n !== 0n) {
    throw new TypeError('modulus must be a positive bigint of at most 2048 bits');
  }
  const iss = publicStringBytes('iss', p.iss, P.issBytes);
  const aud = publicStringBytes('aud', p.aud, P.audBytes);
  const domain = publicStringBytes('domain', p.domain, P.domainBytes);
  if (domain.length === 0 || domain.includes(0x40)) throw new TypeError("domain must be non-empty and contain no '@'");
  const [hi, lo] = epkToFields(p.epk);
  const expiry = expiryToBigInt(p.expiry);
  return {
    modulus: toLimbs(p.modulus, 18, 120).map((x) => fieldHex(BigInt(x))),
    iss: packBytes(iss, P.stringFields).map(fieldHex),
    iss_len: iss.length,
    aud: packBytes(aud, P.stringFields).map(fieldHex),
    aud_len: aud.length,
    domain: packBytes(domain, P.domainFields).map(fieldHex),
    domain_len: domain.length,
    epk_hi: fieldHex(hi),
    epk_lo: fieldHex(lo),
    expiry: expiry.toString(),
  };
}

/**
 * The membership circuit's public inputs in bb.js order (50 × 0x-hex 32-byte strings), for
 * verifiers: the key is the JWK the proof is checked under, and the bundle's header must say alg
 * RS256 and that key's kid. Without `header`: the 37 of the circuits released before the public
 * header (verify-only, for their bundles, which carry none).
 *
 * @example
 * import { encodePublicInputs } from '@veil/crypto';
 * const expected = encodePublicInputs({ jwk, iss, aud, domain, epk, expiry, header: bundle.claims.header });
 * // compare with proof.publicInputs element by element
 * @throws {VeilError} ERR_TOKEN_MALFORMED, ERR_TOKEN_ALG, ERR_KEY_MISMATCH (the header).
 * @throws {TypeError} on a value the circuit cannot encode (too long, unsafe characters, bad key).
 */
export function encodePublicInputs(p: Omit<MembershipPublic, 'modulus' | 'header'> & { jwk: JsonWebKey; header?: string }): string[] {
  if (typeof p !== 'object' || p === null) throw new TypeError('public inputs must be an object');
  if (p.header !== undefined) checkPublicHeader(p.header, p.jwk);
  const v = claimValues({ ...p, modulus: rsaModulusFromJwk(p.jwk) });
  return [
    ...v.modulus,
    ...v.iss,
    n(v.iss_len),
    ...v.aud,
    n(v.aud_len),
    ...v.domain,
    n(v.domain_len),
    v.epk_hi,
    v.epk_lo,
    n(v.expiry),
    ...(p.header !== undefined ? headerFields(headerInputValues(p.header)) : []),
  ];
}

/** What circuits/membership-entra's public inputs say (the header as it appears in the token, base64url). */
export interface EntraPublic {
  modulus: bigint;
  aud: string;
  /** The tenant id (`tid`), 36 bytes. */
  tenant: string;
  /** The email domain bound through `xms_edov`, or '' (not bound). */
  emailDomain: string;
  epk: Uint8Array;
  expiry: number | bigint;
  header: string;
}

/** circuits/membership-entra's public inputs as named noir_js values. */
export interface EntraPublicInputValues extends HeaderInputValues {
  modulus: string[];
  aud: string[];
  aud_len: number;
  tenant: string[];
  email_domain: string[];
  email_domain_len: number;
  epk_hi: string;
  epk_lo: string;
  expiry: string;
}

/** The packed fields of the tenant id (36 bytes). */
export const TENANT_FIELDS = 2;
const TID_BYTES = 36;

/**
 * The entra circuit's public inputs as named noir_js values. Encodes what it is given (the
 * circuit decides whether a tenant is a GUID or the consumer tenant): a prover's tool;
 * verifiers use `encodeEntraPublicInputs`, which checks the header, the tenant and the domain.
 * @throws {TypeError} on a value the circuit cannot encode.
 */
export function entraPublicInputValues(p: EntraPublic): EntraPublicInputValues {
  if (typeof p !== 'object' || p === null) throw new TypeError('public inputs must be an object');
  if (typeof p.modulus !== 'bigint' || p.modulus <= 0n || p.modulus >> 2048n !== 0n) {
    throw new TypeError('modulus must be a positive bigint of at most 2048 bits');
  }
  const aud = publicStringBytes('aud', p.aud, P.audBytes);
  const tenant = publicStringBytes('tenant', p.tenant, TID_BYTES);
  const domain = publicStringBytes('emailDomain', p.emailDomain, P.domainBytes);
  if (domain.includes(0x40)) throw new TypeError("emailDomain must contain no '@'");
  const [hi, lo] = epkToFields(p.epk);
  const expiry = expiryToBigInt(p.expiry);
  return {
    modulus: toLimbs(p.modulus, 18, 120).map((x) => fieldHex(BigInt(x))),
    aud: packBytes(aud, P.stringFields).map(fieldHex),
    aud_len: aud.length,
    tenant: packBytes(tenant, TENANT_FIELDS).map(fieldHex),
    email_domain: packBytes(domain, P.domainFields).map(fieldHex),
    email_domain_len: domain.length,
    epk_hi: fieldHex(hi),
    epk_lo: fieldHex(lo),
    expiry: expiry.toString(),
    ...headerInputValues(p.header),
  };
}

/**
 * circuits/membership-entra's public inputs in bb.js order (46 × 0x-hex), for verifiers: the key is
 * the JWK the proof is checked under, and the bundle's header must say alg RS256 and that key's kid.
 *
 * @example
 * import { encodeEntraPublicInputs } from '@veil/crypto';
 * const expected = encodeEntraPublicInputs({ jwk, aud, tenant, emailDomain: '', epk, expiry, header: bundle.claims.header });
 * @throws {VeilError} ERR_TOKEN_MALFORMED, ERR_TOKEN_ALG, ERR_KEY_MISMATCH (the header),
 *   ERR_CLAIM_INVALID (tenant not a lowercase GUID), ERR_TENANT_CONSUMER (the personal-accounts tenant).
 * @throws {TypeError} on a value the circuit cannot encode.
 */
export function encodeEntraPublicInputs(p: Omit<EntraPublic, 'modulus'> & { jwk: JsonWebKey }): string[] {
  if (typeof p !== 'object' || p === null) throw new TypeError('public inputs must be an object');
  checkPublicHeader(p.header, p.jwk);
  if (typeof p.tenant !== 'string' || !TENANT_GUID.test(p.tenant)) throw new VeilError('ERR_CLAIM_INVALID', `tenant ${JSON.stringify(p.tenant)} is not a lowercase GUID`);
  if (p.tenant === ENTRA_CONSUMER_TENANT) throw new VeilError('ERR_TENANT_CONSUMER', `tenant ${p.tenant} is Microsoft's personal-accounts tenant, not an organisation`);
  const v = entraPublicInputValues({ ...p, modulus: rsaModulusFromJwk(p.jwk) });
  return [
    ...v.modulus,
    ...v.aud,
    n(v.aud_len),
    ...v.tenant,
    ...v.email_domain,
    n(v.email_domain_len),
    v.epk_hi,
    v.epk_lo,
    n(v.expiry),
    ...headerFields(v),
  ];
}
