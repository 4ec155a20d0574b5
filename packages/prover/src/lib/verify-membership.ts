import { VeilError, aEd25519PublicKey, hexToBytes, isVeilError, type Variant } from '@veil/crypto';
import { parseBundle } from '../bundle.ts';
import { AZTEC_CRS_ID, getTestCrsId, resolveCrsKind, type CrsKind } from '../crs.ts';
import { fromBase64 } from './bytes.ts';
import { PROOF_BYTES, type Engine } from './engine.ts';
import { selectIssuerKey } from './jwks.ts';
import { publicInputBytes, type MembershipClaims } from './statement.ts';

/**
 * What the verifier requires of a bundle; each of iss/aud/domain is one value or an allowlist.
 * `iss` and `aud` are mandatory: without `aud`, a token the issuer minted for ANY of its clients
 * (any site using "Sign in with Google") would be accepted. `anyAudience: true` lifts the audience
 * check for diagnostics only.
 */
export type VerifyExpectations = {
  iss: string | readonly string[];
  domain?: string | readonly string[];
  /**
   * The statement(s) accepted (default: any): a Google Workspace board wants `google` (hd), not
   * the weaker `oidc` email-domain statement over the same issuer's tokens.
   */
  variant?: Variant | readonly Variant[];
  /**
   * entra: the email domain(s) the bundle must bind (through `xms_edov`): one of these, byte for
   * byte. A bundle binding none (every non-entra bundle, and an entra one proven without
   * `emailDomain`) is refused. Default: not required.
   */
  emailDomain?: string | readonly string[];
  /** Unix seconds; the bundle's expiry must be later (default: the current time). */
  now?: number;
  /** Accept bundles proven with the insecure test CRS (default: only when `VEIL_CRS=test`). */
  allowTestCrs?: boolean;
} & ({ aud: string | readonly string[]; anyAudience?: false } | { aud?: undefined; anyAudience: true });

/** The verified statement. */
export interface VerifiedMembership extends MembershipClaims {
  /** The statement proved: oidc → `domain` is the verified email's domain; google → the Workspace `hd`; entra → the tenant. */
  variant: Variant;
  circuit: { name: string; id: string };
  crs: { id: string; kind: CrsKind };
}

function allowed(expected: string | readonly string[] | undefined, actual: string): boolean {
  if (expected === undefined) return true;
  return typeof expected === 'string' ? expected === actual : expected.includes(actual);
}

const isAllowlist = (v: unknown): boolean => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));

/** A caller that forgets `iss` or `aud` made a mistake (TypeError), not the bundle. */
function assertExpectations(expect: VerifyExpectations): void {
  if (typeof expect !== 'object' || expect === null) throw new TypeError('verify: expectations { iss, aud } are required');
  if (expect.variant !== undefined && !isAllowlist(expect.variant)) throw new TypeError('verify: expect.variant must be a variant or a list of them');
  if (expect.emailDomain !== undefined && !isAllowlist(expect.emailDomain)) throw new TypeError('verify: expect.emailDomain must be a domain or a list of them');
  if (!isAllowlist(expect.iss)) throw new TypeError('verify: expect.iss (the accepted issuer or issuers) is required');
  if (expect.anyAudience === true) {
    if (expect.aud !== undefined) throw new TypeError('verify: expect.aud and expect.anyAudience exclude each other');
  } else if (!isAllowlist(expect.aud)) {
    throw new TypeError('verify: expect.aud (the accepted audience, your client id) is required; anyAudience: true only for diagnostics');
  }
}

export async function verifyMembership(
  engine: Engine,
  value: unknown,
  jwks: unknown,
  expect: VerifyExpectations,
): Promise<VerifiedMembership> {
  assertExpectations(expect);
  const bundle = parseBundle(value);
  const { claims } = bundle;
  // The circuit binds any 32 bytes; a small-order epk would let anyone sign as this member.
  aEd25519PublicKey(hexToBytes(claims.epk));

  const allowTest = expect.allowTestCrs ?? resolveCrsKind() === 'test';
  if (bundle.crs.kind === 'test') {
    if (!allowTest) {
      throw new VeilError(
        'ERR_CRS_NOT_ACCEPTED',
        'bundle was proven with the insecure test CRS (anyone can forge those); accepted only with allowTestCrs or VEIL_CRS=test',
      );
    }
    if (bundle.crs.id !== getTestCrsId()) throw new VeilError('ERR_CRS_NOT_ACCEPTED', `unknown test CRS ${bundle.crs.id}`);
  } else if (bundle.crs.id !== AZTEC_CRS_ID) {
    throw new VeilError('ERR_CRS_NOT_ACCEPTED', `CRS ${bundle.crs.id} is not Aztec's`);
  }

  const circuit = (await engine.knownCircuits()).find((c) => c.name === bundle.circuit.name && c.id === bundle.circuit.id);
  if (!circuit) {
    throw new VeilError('ERR_CIRCUIT_UNKNOWN', `circuit ${bundle.circuit.name} ${bundle.circuit.id} is not accepted here`);
  }
  // The variant says what `domain` means; it must be the one the circuit proves.
  const variant: Variant = bundle.variant ?? 'oidc';
  if (circuit.variant === undefined) throw new VeilError('ERR_CIRCUIT_UNKNOWN', `circuit ${bundle.circuit.name} is not a membership circuit`);
  if (circuit.variant !== variant) {
    throw new VeilError('ERR_BUNDLE_MALFORMED', `the bundle says variant ${variant}, but circuit ${bundle.circuit.name} proves the ${circuit.variant} statement`);
  }
  if (!allowed(expect.variant, variant)) throw new VeilError('ERR_VARIANT_MISMATCH', `the ${variant} statement is not accepted here`);
  // A replaced circuit's bundles verify until its date (the allowlist was read when the backend started).
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  if (circuit.acceptedUntil !== undefined && Date.parse(circuit.acceptedUntil) <= now * 1000) {
    throw new VeilError('ERR_CIRCUIT_UNKNOWN', `circuit ${bundle.circuit.name} ${bundle.circuit.id} was accepted until ${circuit.acceptedUntil}`);
  }

  if (!allowed(expect.iss, claims.iss)) throw new VeilError('ERR_ISS_MISMATCH', `issuer ${claims.iss} is not accepted`);
  if (!allowed(expect.aud, claims.aud)) throw new VeilError('ERR_AUD_MISMATCH', `audience ${claims.aud} is not accepted`);
  if (!allowed(expect.domain, claims.domain)) throw new VeilError('ERR_DOMAIN_MISMATCH', `domain ${claims.domain} is not accepted`);
  if (expect.emailDomain !== undefined) {
    const want = typeof expect.emailDomain === 'string' ? expect.emailDomain : expect.emailDomain.join(', ');
    if (claims.emailDomain === undefined) throw new VeilError('ERR_EMAIL_DOMAIN_MISMATCH', `the bundle binds no email domain; ${want} is required`);
    if (!allowed(expect.emailDomain, claims.emailDomain)) throw new VeilError('ERR_EMAIL_DOMAIN_MISMATCH', `email domain ${claims.emailDomain} is not accepted (required: ${want})`);
  }
  if (claims.expiry <= now) throw new VeilError('ERR_PROOF_EXPIRED', `the proof expired at ${claims.expiry}`);

  const { jwk } = selectIssuerKey(jwks, claims.kid);
  let pi: Uint8Array;
  try {
    pi = publicInputBytes(claims, jwk, { variant, publicHeader: circuit.publicHeader === true }).bytes;
  } catch (e) {
    // The specific refusals (the header's alg / kid, entra's consumer tenant) keep their codes.
    if (isVeilError(e)) throw e;
    if (e instanceof TypeError || e instanceof RangeError) {
      throw new VeilError('ERR_BUNDLE_MALFORMED', `claims do not fit the circuit: ${(e as Error).message}`, { cause: e });
    }
    throw e;
  }
  const proof = fromBase64(bundle.proof);
  if (!proof || proof.length !== PROOF_BYTES) throw new VeilError('ERR_BUNDLE_MALFORMED', `proof must be base64 of ${PROOF_BYTES} bytes`);
  const all = new Uint8Array(pi.length + proof.length);
  all.set(pi);
  all.set(proof, pi.length);
  // Key problems (e.g. Aztec's CRS not downloadable yet) are operational errors, not invalid proofs.
  await engine.verificationKey(circuit, bundle.crs.kind);
  let ok: boolean;
  try {
    ok = await engine.verify(circuit, bundle.crs.kind, all);
  } catch (e) {
    throw new VeilError('ERR_PROOF_INVALID', 'the proof does not verify (rejected by the backend)', { cause: e });
  }
  if (!ok) throw new VeilError('ERR_PROOF_INVALID', 'the proof does not verify for these claims and this issuer key');
  return { ...claims, variant, circuit: bundle.circuit, crs: bundle.crs };
}
