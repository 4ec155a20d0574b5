/**
 * Turns an RS256 ID token into the membership circuit's inputs (noir_js InputMap, exactly the ABI of
 * `circuits/membership`) plus the public claims a proof bundle carries.
 *
 * Pre-checks (all skipped with `unchecked: true`, so that the circuit alone decides): compact JWS
 * with 3 parts, alg RS256, kid equal to jwk.kid when both are present, RSA modulus of exactly 2048
 * bits, e = 65537, the signature verifies (WebCrypto `crypto.subtle`, Node and browsers), iss / aud /
 * email / nonce strings, email_verified === true, iat an integer, nonce = nonce(epk, salt, expiry),
 * domain = the email's domain, expiry <= iat + 14 days, sizes within the circuit's limits. Some
 * checks cannot be skipped because the token could not be encoded at all (base64url, JSON, length, depth, duplicate top-level keys).
 *
 * Encoding: the signing input is split at a 64-byte boundary inside the header so that at least 4
 * header characters and the '.' are in `data` (SHA-256 state of the prefix precomputed here);
 * claim positions index the circuit's decoded buffer (payload at 3·(payload_start − payload_start mod 4)/4).
 * Claim values are compared by the circuit as JSON text: escaped values are refused here.
 */
import { VeilError } from './errors.ts';
import { base64urlDecode } from './lib/base64url.ts';
import { duplicateTopLevelKey, topLevelMembers, scanJson, jsonDepth } from './lib/json-scan.ts';
import { sha256PrefixState } from './lib/sha256-state.ts';
import { toLimbs } from './lib/rsa-limbs.ts';
import { bytesToBigInt, fieldHex } from './lib/pack.ts';
import { nonce as computeNonce, saltToField, expiryToBigInt, epkToFields } from './nonce.ts';
import { publicInputValues, rsaModulusFromJwk, type PublicInputValues } from './public-inputs.ts';
import { bytesToHex } from './generate-ephemeral-key.ts';
import { MEMBERSHIP_PARAMS as P } from './membership-params.ts';

/** Options of buildInputs. */
export interface BuildInputsOptions {
  /** The domain to prove (default: the email's domain). */
  domain?: string;
  /** Skip the pre-checks: produce inputs for any encodable token and let the circuit decide. */
  unchecked?: boolean;
}

/** Claim positions in the circuit's decoded buffer (ABI struct `positions`). */
export interface Positions {
  payload_start: number;
  iss_key: number;
  iss_val: number;
  aud_key: number;
  aud_val: number;
  email_key: number;
  email_val: number;
  email_at: number;
  verified_key: number;
  verified_val: number;
  nonce_key: number;
  nonce_val: number;
  iat_key: number;
  iat_val: number;
  iat_len: number;
}

/** The circuit's inputs: public values plus the private witness. */
export interface MembershipInputs extends PublicInputValues {
  data: number[];
  data_len: number;
  prefix_state: number[];
  prefix_len: number;
  signature: string[];
  salt: string;
  positions: Positions;
}

/** What a proof bundle states publicly. */
export interface PublicClaims {
  iss: string;
  aud: string;
  domain: string;
  /** Ephemeral Ed25519 public key, 64 lowercase hex digits. */
  epk: string;
  expiry: number;
  kid: string | undefined;
}

const fail = (code: string, message: string, cause?: unknown): never => {
  throw new VeilError(code, message, cause === undefined ? undefined : { cause });
};

function parseJsonPart(bytes: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    return fail('ERR_TOKEN_MALFORMED', `token ${what} is not UTF-8 JSON`, e);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('ERR_TOKEN_MALFORMED', `token ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

async function verifyRs256(jwk: JsonWebKey, signingInput: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const key = await crypto.subtle.importKey(
    'jwk',
    { kty: 'RSA', n: jwk.n!, e: jwk.e!, ext: true } as JsonWebKey,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  return crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature as Uint8Array<ArrayBuffer>, signingInput as Uint8Array<ArrayBuffer>);
}

/**
 * Builds the membership circuit's inputs from an ID token and its issuer key.
 *
 * @example
 * import { buildInputs } from '@veil/crypto';
 * const { inputs, publicClaims } = await buildInputs(token, jwk, epk, salt, expiry);
 * await new Noir(program).execute(inputs);
 * @throws {VeilError} ERR_TOKEN_MALFORMED, ERR_TOKEN_ALG, ERR_KEY_MISMATCH, ERR_KEY_SIZE, ERR_KEY_EXPONENT,
 *   ERR_SIGNATURE_INVALID, ERR_TOKEN_TOO_LONG, ERR_TOKEN_TOO_DEEP, ERR_TOKEN_DUPLICATE_CLAIM, ERR_CLAIM_MISSING, ERR_CLAIM_INVALID, ERR_CLAIM_TOO_LONG,
 *   ERR_EMAIL_UNVERIFIED, ERR_NONCE_MISMATCH, ERR_DOMAIN_MISMATCH, ERR_EXPIRY_TOO_FAR.
 * @throws {TypeError} on a malformed epk, salt, expiry, jwk or options.
 */
export async function buildInputs(
  token: string,
  jwk: JsonWebKey,
  epk: Uint8Array,
  salt: bigint | Uint8Array,
  expiry: number | bigint,
  opts: BuildInputsOptions = {},
): Promise<{ inputs: MembershipInputs; publicClaims: PublicClaims }> {
  if (typeof token !== 'string') throw new TypeError('token must be a string');
  if (typeof jwk !== 'object' || jwk === null) throw new TypeError('jwk must be a JsonWebKey object');
  if (typeof opts !== 'object' || opts === null) throw new TypeError('opts must be an object');
  if (opts.domain !== undefined && typeof opts.domain !== 'string') throw new TypeError('opts.domain must be a string');
  epkToFields(epk);
  const saltF = saltToField(salt);
  const exp = expiryToBigInt(expiry);
  const checked = opts.unchecked !== true;

  // Structure (never skippable: nothing to encode otherwise).
  const parts = token.trim().split('.');
  if (parts.length !== 3) fail('ERR_TOKEN_MALFORMED', `token has ${parts.length} parts, a JWS has 3`);
  const [h64, p64, s64] = parts as [string, string, string];
  const header = parseJsonPart(base64urlDecode(h64, 'token header'), 'header');
  const payloadBytes = base64urlDecode(p64, 'token payload');
  const payload = parseJsonPart(payloadBytes, 'payload');
  const signature = base64urlDecode(s64, 'token signature');
  const signingInput = new TextEncoder().encode(`${h64}.${p64}`);
  if (signingInput.length > P.maxSignedBytes) {
    fail('ERR_TOKEN_TOO_LONG', `signed part is ${signingInput.length} bytes; at most ${P.maxSignedBytes}`);
  }
  // Prefix: whole 64-byte blocks that end at least 4 characters before the '.'.
  const prefixLen = Math.max(0, Math.floor((h64.length - 3) / 64) * 64);
  const dataLen = signingInput.length - prefixLen;
  if (dataLen > P.maxDataLen) {
    fail('ERR_TOKEN_TOO_LONG', `token too long: ${dataLen} bytes after the ${prefixLen}-byte prefix; the circuit hashes at most ${P.maxDataLen}`);
  }
  if (jsonDepth(payloadBytes) > P.maxJsonDepth) {
    fail('ERR_TOKEN_TOO_DEEP', `token payload nests deeper than ${P.maxJsonDepth} levels, the circuit's limit`);
  }
  // The circuit takes whichever occurrence the prover points at: with two `email` members the
  // prover could choose the domain. Never skippable (the claim positions would be ambiguous).
  const duplicate = duplicateTopLevelKey(payloadBytes);
  if (duplicate !== undefined) fail('ERR_TOKEN_DUPLICATE_CLAIM', `token payload has the claim ${JSON.stringify(duplicate)} more than once`);
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const jwkKid = (jwk as { kid?: unknown }).kid;
  const modulus = rsaModulusFromJwk(jwk);

  if (checked) {
    if (header.alg !== 'RS256') fail('ERR_TOKEN_ALG', `token alg is ${JSON.stringify(header.alg)}, expected RS256`);
    if (kid !== undefined && typeof jwkKid === 'string' && kid !== jwkKid) {
      fail('ERR_KEY_MISMATCH', `token kid ${JSON.stringify(kid)} does not match the key's kid ${JSON.stringify(jwkKid)}`);
    }
    if (jwk.kty !== 'RSA') fail('ERR_KEY_SIZE', 'key is not an RSA key');
    if (modulus >> 2047n !== 1n) fail('ERR_KEY_SIZE', `RSA modulus is ${modulus.toString(2).length} bits, expected 2048`);
    if (jwk.e !== 'AQAB') fail('ERR_KEY_EXPONENT', 'RSA public exponent must be 65537');
    if (signature.length !== 256 || !(await verifyRs256(jwk, signingInput, signature))) {
      fail('ERR_SIGNATURE_INVALID', 'token signature does not verify under the key');
    }
  }

  // Claims.
  const str = (name: string): string => {
    const v = payload[name];
    if (v === undefined) return checked ? fail('ERR_CLAIM_MISSING', `token has no ${name} claim`) : '';
    if (typeof v !== 'string') return checked ? fail('ERR_CLAIM_INVALID', `token ${name} claim is not a string`) : '';
    return v;
  };
  const iss = str('iss');
  const aud = str('aud');
  const email = str('email');
  const tokenNonce = str('nonce');
  const at = email.lastIndexOf('@');
  const emailDomain = at >= 0 ? email.slice(at + 1) : '';
  const domain = opts.domain ?? emailDomain;
  const iat = payload.iat;
  if (checked) {
    if (payload[P.verifiedClaim] === undefined) fail('ERR_CLAIM_MISSING', `token has no ${P.verifiedClaim} claim`);
    if (payload[P.verifiedClaim] !== true) fail('ERR_EMAIL_UNVERIFIED', `token ${P.verifiedClaim} is ${JSON.stringify(payload[P.verifiedClaim])}, not true`);
    if (iat === undefined) fail('ERR_CLAIM_MISSING', 'token has no iat claim');
    if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0) fail('ERR_CLAIM_INVALID', 'token iat is not a non-negative integer');
    if (at <= 0 || email.indexOf('@') !== at || emailDomain.length === 0) fail('ERR_CLAIM_INVALID', 'token email is not <local>@<domain>');
    if (new TextEncoder().encode(email).length > P.emailBytes) fail('ERR_CLAIM_TOO_LONG', `email is longer than ${P.emailBytes} bytes`);
    if (domain !== emailDomain) fail('ERR_DOMAIN_MISMATCH', `email domain ${JSON.stringify(emailDomain)} is not ${JSON.stringify(domain)}`);
    const expected = await computeNonce(epk, saltF, exp);
    if (tokenNonce !== expected) fail('ERR_NONCE_MISMATCH', 'token nonce is not nonce(epk, salt, expiry)');
    if (exp > BigInt(iat as number) + BigInt(P.expiryWindow)) fail('ERR_EXPIRY_TOO_FAR', `expiry is more than 14 days after the token's iat`);
  }

  // Positions in the decoded buffer.
  const payloadStart = h64.length + 1 - prefixLen;
  const base = (3 * (payloadStart - (payloadStart % 4))) / 4;
  const members = topLevelMembers(payloadBytes);
  const tags = scanJson(payloadBytes);
  const pos = (name: string): { key: number; value: number } => {
    const m = members.get(name);
    if (!m) return { key: 0, value: 0 };
    return { key: base + m.key, value: base + m.value };
  };
  // String values must be plain JSON text (no escapes): the circuit compares the text.
  if (checked) {
    for (const name of ['iss', 'aud', 'email', 'nonce']) {
      const m = members.get(name);
      if (!m || payloadBytes[m.value] !== 0x22) fail('ERR_CLAIM_INVALID', `token ${name} claim is not a top-level string`);
      const close = tags.indexOf(tags[m!.value]!, m!.value + 1);
      const text = new TextDecoder().decode(payloadBytes.subarray(m!.value + 1, close));
      if (text !== payload[name]) fail('ERR_CLAIM_INVALID', `token ${name} claim uses JSON escapes`);
    }
  }
  let publicValues: PublicInputValues;
  try {
    publicValues = publicInputValues({ modulus, iss, aud, domain: domain || '-', epk, expiry: exp });
  } catch (e) {
    return fail('ERR_CLAIM_TOO_LONG', `a claim cannot be encoded: ${(e as Error).message}`, e);
  }

  const ps = pos('iss');
  const pa = pos('aud');
  const pe = pos('email');
  const pv = pos(P.verifiedClaim);
  const pn = pos('nonce');
  const pi = pos('iat');
  let emailAt = 0;
  const em = members.get('email');
  if (em) {
    let i = em.value + 1;
    let last = -1;
    while (i < payloadBytes.length && payloadBytes[i] !== 0x22) {
      if (payloadBytes[i] === 0x40) last = i;
      i++;
    }
    emailAt = last >= 0 ? base + last : 0;
  }
  let iatLen = 0;
  const im = members.get('iat');
  if (im) while (iatLen < P.iatDigits && (payloadBytes[im.value + iatLen] ?? 0) >= 0x30 && payloadBytes[im.value + iatLen]! <= 0x39) iatLen++;

  const data = new Array<number>(P.dataBytes).fill(0);
  for (let i = 0; i < dataLen; i++) data[i] = signingInput[prefixLen + i]!;
  const inputs: MembershipInputs = {
    ...publicValues,
    data,
    data_len: dataLen,
    prefix_state: Array.from(sha256PrefixState(signingInput.subarray(0, prefixLen))),
    prefix_len: prefixLen,
    signature: toLimbs(bytesToBigInt(signature) % (1n << 2160n), 18, 120).map((x) => fieldHex(BigInt(x))),
    salt: fieldHex(saltF),
    positions: {
      payload_start: payloadStart,
      iss_key: ps.key,
      iss_val: ps.value,
      aud_key: pa.key,
      aud_val: pa.value,
      email_key: pe.key,
      email_val: pe.value,
      email_at: emailAt,
      verified_key: pv.key,
      verified_val: pv.value,
      nonce_key: pn.key,
      nonce_val: pn.value,
      iat_key: pi.key,
      iat_val: pi.value,
      iat_len: iatLen,
    },
  };
  return {
    inputs,
    publicClaims: { iss, aud, domain, epk: bytesToHex(epk), expiry: Number(exp), kid },
  };
}
