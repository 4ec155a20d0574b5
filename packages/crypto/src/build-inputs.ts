/**
 * Turns an RS256 ID token into the membership circuit's inputs (noir_js InputMap, exactly the ABI of
 * `circuits/membership`, of `circuits/membership-google` with `variant: 'google'`, of
 * `circuits/membership-entra` with `variant: 'entra'`) plus the public claims a proof bundle carries.
 *
 * Pre-checks (all skipped with `unchecked: true`, so that the circuit alone decides): the clauses of
 * the variant's statement (default `oidc`; `inspect-token.ts`, the same code `veil membership
 * inspect` prints): alg RS256, kid equal to jwk.kid when both are present, RSA modulus of exactly
 * 2048 bits, e = 65537, the signature verifies (WebCrypto), iss / aud / email / nonce top-level plain
 * strings, email_verified === true, iat an integer, nonce = nonce(epk, salt, expiry), domain = the
 * email's domain (google: = `hd`; entra: tid a lowercase GUID = domain, not the consumer tenant, iss
 * = https://login.microsoftonline.com/<tid>/v2.0, ver "2.0", kid on both sides, and with `emailDomain`
 * the email's domain with xms_edov true or "1"), expiry <= iat + 14 days, claims within the
 * circuit's limits; the first failed clause's code is thrown. Some
 * checks cannot be skipped because the token could not be encoded at all (base64url, JSON, length, depth, duplicate top-level keys).
 *
 * Encoding: the signing input is split at a 64-byte boundary inside the header so that at least 3
 * header characters and the '.' are in `data`; the header is public (the SHA-256 state of the
 * prefix and the tail after it, `public-header.ts`), so the bundle carries it. Claim positions index
 * the circuit's decoded buffer (payload at 3·(s − s mod 4)/4, s = tail length + 1).
 * Claim values are compared by the circuit as JSON text: escaped values are refused here.
 */
import { VeilError } from './errors.ts';
import { parseToken } from './lib/parse-token.ts';
import { aVariant, statementClauses, type Variant } from './inspect-token.ts';
import { toLimbs } from './lib/rsa-limbs.ts';
import { bytesToBigInt, fieldHex } from './lib/pack.ts';
import { saltToField, expiryToBigInt, epkToFields } from './nonce.ts';
import { entraPublicInputValues, publicInputValues, rsaModulusFromJwk, type EntraPublicInputValues, type PublicInputValues } from './public-inputs.ts';
import { bytesToHex } from './generate-ephemeral-key.ts';
import { MEMBERSHIP_PARAMS as P } from './membership-params.ts';

/** Options of buildInputs. */
export interface BuildInputsOptions {
  /** The domain to prove (default: the email's domain; google: the token's `hd`; entra: the tenant, default the token's `tid`). */
  domain?: string;
  /** entra only: also bind the email's domain, which needs `xms_edov` true or "1" (default: not bound). */
  emailDomain?: string;
  /** The statement: `oidc` (circuits/membership, default), `google` or `entra` (circuits/membership-<variant>). */
  variant?: Variant;
  /** Skip the pre-checks: produce inputs for any encodable token and let the circuit decide. */
  unchecked?: boolean;
}

/** Claim positions in the circuit's decoded buffer (ABI struct `positions`; the payload start follows from the public header). */
export interface Positions {
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

/** Claim positions of circuits/membership-google: `hd` instead of the email. */
export interface GooglePositions extends Omit<Positions, 'email_key' | 'email_val' | 'email_at'> {
  hd_key: number;
  hd_val: number;
}

/** Claim positions of circuits/membership-entra. */
export interface EntraPositions {
  iss_key: number;
  iss_val: number;
  aud_key: number;
  aud_val: number;
  ver_key: number;
  ver_val: number;
  tid_key: number;
  tid_val: number;
  email_key: number;
  email_val: number;
  email_at: number;
  edov_key: number;
  edov_val: number;
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
  signature: string[];
  salt: string;
  positions: Positions;
}

/** The inputs of circuits/membership-google. */
export type GoogleMembershipInputs = Omit<MembershipInputs, 'positions'> & { positions: GooglePositions };

/** The inputs of circuits/membership-entra. */
export interface EntraMembershipInputs extends EntraPublicInputValues {
  data: number[];
  data_len: number;
  signature: string[];
  salt: string;
  positions: EntraPositions;
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
  /** base64url(header) as in the token: the verifier checks alg and kid and recomputes the prefix state. */
  header: string;
}

/** What an entra bundle states publicly: `domain` is the tenant. */
export interface EntraPublicClaims extends PublicClaims {
  /** The email domain bound through xms_edov, or '' (not bound). */
  emailDomain: string;
}

/** What buildInputs returns for each variant. */
export interface BuiltInputs {
  oidc: { inputs: MembershipInputs; publicClaims: PublicClaims };
  google: { inputs: GoogleMembershipInputs; publicClaims: PublicClaims };
  entra: { inputs: EntraMembershipInputs; publicClaims: EntraPublicClaims };
}

const fail = (code: string, message: string, cause?: unknown): never => {
  throw new VeilError(code, message, cause === undefined ? undefined : { cause });
};

/**
 * Builds the membership circuit's inputs from an ID token and its issuer key.
 *
 * @example
 * import { buildInputs } from '@veil/crypto';
 * const { inputs, publicClaims } = await buildInputs(token, jwk, epk, salt, expiry);
 * await new Noir(program).execute(inputs);
 * @throws {VeilError} ERR_TOKEN_MALFORMED, ERR_TOKEN_ALG, ERR_KEY_MISMATCH, ERR_KEY_SIZE, ERR_KEY_EXPONENT,
 *   ERR_SIGNATURE_INVALID, ERR_TOKEN_TOO_LONG, ERR_TOKEN_TOO_DEEP, ERR_TOKEN_DUPLICATE_CLAIM, ERR_CLAIM_MISSING, ERR_CLAIM_INVALID, ERR_CLAIM_TOO_LONG,
 *   ERR_EMAIL_UNVERIFIED, ERR_NONCE_MISMATCH, ERR_DOMAIN_MISMATCH, ERR_EXPIRY_TOO_FAR, ERR_TENANT_CONSUMER (entra).
 * @throws {TypeError} on a malformed epk, salt, expiry, jwk or options.
 */
export async function buildInputs<V extends Variant = 'oidc'>(
  token: string,
  jwk: JsonWebKey,
  epk: Uint8Array,
  salt: bigint | Uint8Array,
  expiry: number | bigint,
  opts?: BuildInputsOptions & { variant?: V },
): Promise<BuiltInputs[V]>;
export async function buildInputs(
  token: string,
  jwk: JsonWebKey,
  epk: Uint8Array,
  salt: bigint | Uint8Array,
  expiry: number | bigint,
  opts: BuildInputsOptions = {},
): Promise<BuiltInputs[Variant]> {
  if (typeof token !== 'string') throw new TypeError('token must be a string');
  if (typeof jwk !== 'object' || jwk === null) throw new TypeError('jwk must be a JsonWebKey object');
  if (typeof opts !== 'object' || opts === null) throw new TypeError('opts must be an object');
  if (opts.domain !== undefined && typeof opts.domain !== 'string') throw new TypeError('opts.domain must be a string');
  let variant: Variant;
  try {
    variant = aVariant(opts.variant ?? 'oidc');
  } catch (e) {
    throw new TypeError(`opts.variant: ${(e as Error).message}`);
  }
  if (opts.emailDomain !== undefined && (typeof opts.emailDomain !== 'string' || variant !== 'entra')) throw new TypeError('opts.emailDomain is a string, for variant "entra" only');
  epkToFields(epk);
  const saltF = saltToField(salt);
  const exp = expiryToBigInt(expiry);
  const checked = opts.unchecked !== true;

  // Structure (never skippable: nothing to encode otherwise).
  const t = parseToken(token);
  const { h64, header, payload, payloadBytes, signature, signingInput, prefixLen, dataLen, members } = t;
  if (signingInput.length > P.maxSignedBytes) {
    fail('ERR_TOKEN_TOO_LONG', `signed part is ${signingInput.length} bytes; at most ${P.maxSignedBytes}`);
  }
  if (dataLen > P.maxDataLen) {
    fail('ERR_TOKEN_TOO_LONG', `token too long: ${dataLen} bytes after the ${prefixLen}-byte prefix; the circuit hashes at most ${P.maxDataLen}`);
  }
  if (t.depth > P.maxJsonDepth) {
    fail('ERR_TOKEN_TOO_DEEP', `token payload nests deeper than ${P.maxJsonDepth} levels, the circuit's limit`);
  }
  // The circuit takes whichever occurrence the prover points at: with two `email` members the
  // prover could choose the domain. Never skippable (the claim positions would be ambiguous).
  if (t.duplicate !== undefined) fail('ERR_TOKEN_DUPLICATE_CLAIM', `token payload has the claim ${JSON.stringify(t.duplicate)} more than once`);
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const modulus = rsaModulusFromJwk(jwk);

  // The variant's statement clauses (inspect-token.ts), first failure thrown.
  if (checked) {
    const { clauses } = await statementClauses(t, jwk, variant, {
      ...(opts.domain !== undefined ? { domain: opts.domain } : {}),
      ...(opts.emailDomain !== undefined ? { emailDomain: opts.emailDomain } : {}),
      nonce: { epk, salt, expiry },
    });
    const first = clauses.find((c) => !c.ok);
    if (first) fail(first.code!, first.reason);
  }

  // Claims as encoded (unchecked: whatever the token holds, '' when absent or not a string).
  const str = (name: string): string => (typeof payload[name] === 'string' ? (payload[name] as string) : '');
  const iss = str('iss');
  const aud = str('aud');
  const email = str('email');
  const at = email.lastIndexOf('@');
  const emailDomain = at >= 0 ? email.slice(at + 1) : '';
  const domain = opts.domain ?? (variant === 'google' ? str('hd') : variant === 'entra' ? str('tid') : emailDomain);

  // Positions in the decoded buffer.
  const payloadStart = h64.length + 1 - prefixLen;
  const base = (3 * (payloadStart - (payloadStart % 4))) / 4;
  const pos = (name: string): { key: number; value: number } => {
    const m = members.get(name);
    if (!m) return { key: 0, value: 0 };
    return { key: base + m.key, value: base + m.value };
  };
  const encodable = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      return fail('ERR_CLAIM_TOO_LONG', `a claim cannot be encoded: ${(e as Error).message}`, e);
    }
  };

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
  const witness = {
    data,
    data_len: dataLen,
    signature: toLimbs(bytesToBigInt(signature) % (1n << 2160n), 18, 120).map((x) => fieldHex(BigInt(x))),
    salt: fieldHex(saltF),
  };

  if (variant === 'entra') {
    const bound = opts.emailDomain ?? '';
    const values = encodable(() => entraPublicInputValues({ modulus, aud, tenant: domain, emailDomain: bound, epk, expiry: exp, header: h64 }));
    const pt = pos('tid');
    const pr = pos('ver');
    const pd = pos('xms_edov');
    const positions: EntraPositions = {
      iss_key: ps.key,
      iss_val: ps.value,
      aud_key: pa.key,
      aud_val: pa.value,
      ver_key: pr.key,
      ver_val: pr.value,
      tid_key: pt.key,
      tid_val: pt.value,
      email_key: pe.key,
      email_val: pe.value,
      email_at: emailAt,
      edov_key: pd.key,
      edov_val: pd.value,
      nonce_key: pn.key,
      nonce_val: pn.value,
      iat_key: pi.key,
      iat_val: pi.value,
      iat_len: iatLen,
    };
    return {
      inputs: { ...values, ...witness, positions },
      publicClaims: { iss, aud, domain, epk: bytesToHex(epk), expiry: Number(exp), kid, header: h64, emailDomain: bound },
    };
  }

  const publicValues: PublicInputValues = encodable(() => publicInputValues({ modulus, iss, aud, domain: domain || '-', epk, expiry: exp, header: h64 }));
  const common = { ...publicValues, ...witness };
  const shared = {
    iss_key: ps.key,
    iss_val: ps.value,
    aud_key: pa.key,
    aud_val: pa.value,
    verified_key: pv.key,
    verified_val: pv.value,
    nonce_key: pn.key,
    nonce_val: pn.value,
    iat_key: pi.key,
    iat_val: pi.value,
    iat_len: iatLen,
  };
  const publicClaims: PublicClaims = { iss, aud, domain, epk: bytesToHex(epk), expiry: Number(exp), kid, header: h64 };
  if (variant === 'google') return { inputs: { ...common, positions: { ...shared, hd_key: pos('hd').key, hd_val: pos('hd').value } }, publicClaims };
  return { inputs: { ...common, positions: { ...shared, email_key: pe.key, email_val: pe.value, email_at: emailAt } }, publicClaims };
}
