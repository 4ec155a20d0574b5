/**
 * Issuer-key observations: an attested service's signed statement "at `observed_at`, the JWKS at
 * `jwks_uri` (named by `iss`'s OIDC discovery document) served the RSA key `kid` = (`n`, `e`)".
 * Verifiers use one to trust a key the issuer has since rotated away. This file holds the wire
 * format and the checks anyone can make without judging TEE evidence (the board server makes only
 * these); `@veil/identity/key-history` adds the evidence check against pinned measurements.
 *
 * Document (JSON, version 1):
 *   { v: 1, type: "veil-issuer-key-observation", iss, jwks_uri, kid, n, e, observed_at,
 *     signer: { publicKey, channelPublicKey, evidenceType, evidence (base64), simulationRoot? },
 *     signature }
 * signature = Ed25519 (Veil's strict rule, verify-signature.ts) by signer.publicKey over
 *   "veil-identity/key-observation/v1" ‖ 0x00 ‖ RFC 8785 (JCS) JSON of every field but `signature`.
 * The signer block is the identity service's claims signer (the same key and evidence as claims
 * files): evidence report data = SHA-512("veil-identity/claims-signer/v1" ‖ 0 ‖ publicKey ‖ channelPublicKey).
 * `observed_at` is unix seconds (the service's clock). `n` and `e` are the JWK's base64url strings,
 * byte for byte as the issuer served them.
 *
 * jwks_uri rule (aJwksUriForIssuer, also applied by the observing service before it signs): https,
 * no credentials or fragment, and the host (and port) of `iss` itself — except the documented
 * issuers that serve keys from another host of theirs (Google: www.googleapis.com). A discovery
 * document that points elsewhere is refused, so a key hosted by a third party is never observed.
 * Not checked here: the evidence (the caller must verify it against the measurements it pins) and
 * whether `iss` is an issuer the caller wants.
 */
import { VeilError } from './errors.ts';
import { toHex } from './bytes.ts';
import { verifySignature } from './verify-signature.ts';

export const KEY_OBSERVATION_TYPE = 'veil-issuer-key-observation';
const SIG_TAG = new TextEncoder().encode('veil-identity/key-observation/v1\0');
/** Largest attached evidence (bytes), as for claims files. */
export const MAX_OBSERVATION_EVIDENCE_BYTES = 64 * 1024;

/** Issuers whose discovery document names a key host other than their own (documented by them). */
export const JWKS_HOSTS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  // https://accounts.google.com/.well-known/openid-configuration → https://www.googleapis.com/oauth2/v3/certs
  'https://accounts.google.com': Object.freeze(['www.googleapis.com']),
});

export interface KeyObservationSigner {
  publicKey: string;
  channelPublicKey: string;
  evidenceType: 'sgx' | 'simulation';
  evidence: string;
  simulationRoot?: string;
}

/** What was observed. */
export interface KeyObservationFact {
  iss: string;
  jwks_uri: string;
  kid: string;
  n: string;
  e: string;
  observed_at: number;
}

export interface KeyObservation extends KeyObservationFact {
  v: 1;
  type: typeof KEY_OBSERVATION_TYPE;
  signer: KeyObservationSigner;
  signature: string;
}

const malformed = (m: string): never => {
  throw new VeilError('ERR_OBSERVATION_MALFORMED', m);
};
const B64URL = /^[A-Za-z0-9_-]+$/;
const HEX64 = /^[0-9a-f]{64}$/;
// Printable, no NUL or controls: every field must be storable and comparable as plain text.
const TEXT = /^[\x21-\x7e]+$/;
const TOP = ['v', 'type', 'iss', 'jwks_uri', 'kid', 'n', 'e', 'observed_at', 'signer', 'signature'];
const SIGNER = ['publicKey', 'channelPublicKey', 'evidenceType', 'evidence', 'simulationRoot'];

function text(v: unknown, max: number, what: string, re = TEXT): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max || !re.test(v)) malformed(`${what} must be 1-${max} characters of ${re === B64URL ? 'base64url' : 'printable ASCII'}`);
  return v as string;
}

/**
 * Checks the shape of an untrusted observation (every field, no extra ones) and returns it typed.
 * @example
 * import { parseKeyObservation } from '@veil/crypto/key-observation';
 * const obs = parseKeyObservation(JSON.parse(body));
 * @throws VeilError ERR_OBSERVATION_MALFORMED, ERR_OBSERVATION_UNSIGNED.
 */
export function parseKeyObservation(input: unknown): KeyObservation {
  const o = input as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o) || o.v !== 1 || o.type !== KEY_OBSERVATION_TYPE) malformed(`not a version-1 ${KEY_OBSERVATION_TYPE}`);
  if (Object.keys(o!).some((k) => !TOP.includes(k))) malformed('unknown top-level field');
  text(o!.iss, 512, 'iss');
  text(o!.jwks_uri, 2048, 'jwks_uri');
  text(o!.kid, 256, 'kid');
  text(o!.n, 2048, 'n', B64URL);
  text(o!.e, 16, 'e', B64URL);
  if (!Number.isSafeInteger(o!.observed_at) || (o!.observed_at as number) < 0) malformed('observed_at must be unix seconds');
  const s = o!.signer as Record<string, unknown> | null;
  if (!s || typeof s !== 'object' || Array.isArray(s)) malformed('signer missing');
  if (Object.keys(s!).some((k) => !SIGNER.includes(k))) malformed('unknown signer field');
  if (typeof s!.publicKey !== 'string' || !HEX64.test(s!.publicKey)) malformed('signer.publicKey must be 32 bytes of lowercase hex');
  if (typeof s!.channelPublicKey !== 'string' || !HEX64.test(s!.channelPublicKey)) malformed('signer.channelPublicKey must be 32 bytes of lowercase hex');
  if (s!.evidenceType !== 'sgx' && s!.evidenceType !== 'simulation') malformed('signer.evidenceType must be sgx or simulation');
  if (typeof s!.evidence !== 'string' || s!.evidence.length === 0 || s!.evidence.length > Math.ceil(MAX_OBSERVATION_EVIDENCE_BYTES / 3) * 4) malformed('signer.evidence must be base64');
  if (s!.simulationRoot !== undefined && (typeof s!.simulationRoot !== 'string' || s!.evidenceType !== 'simulation' || s!.simulationRoot.length > 4096)) {
    malformed('signer.simulationRoot only goes with simulation evidence');
  }
  if (o!.signature === undefined) throw new VeilError('ERR_OBSERVATION_UNSIGNED', 'the observation has no signature');
  if (typeof o!.signature !== 'string' || !/^[0-9a-f]{128}$/.test(o!.signature)) malformed('signature must be 64 bytes of lowercase hex');
  return o as unknown as KeyObservation;
}

/**
 * RFC 8785 for what an observation holds (objects of strings, safe integers and objects): keys
 * sorted by UTF-16 code units, primitives as ECMAScript's JSON.stringify writes them (§3.2.2).
 */
function jcs(v: unknown): string {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v))) return JSON.stringify(v);
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`).join(',')}}`;
  }
  throw new TypeError('jcs: only strings, safe integers and objects');
}

/** The bytes the observer signs: tag ‖ JCS of everything but the signature. */
export function keyObservationSignedBytes(doc: Omit<KeyObservation, 'signature'>): Uint8Array {
  const { v, type, iss, jwks_uri, kid, n, e, observed_at, signer } = doc;
  const body = new TextEncoder().encode(jcs({ v, type, iss, jwks_uri, kid, n, e, observed_at, signer }));
  const out = new Uint8Array(SIG_TAG.length + body.length);
  out.set(SIG_TAG, 0);
  out.set(body, SIG_TAG.length);
  return out;
}

/**
 * Signs an observation with `sign` (the observer's Ed25519 key), attaching `signer`.
 * @example
 * const obs = signKeyObservationWith(fact, signerBlock, (m) => ed25519.sign(m, secretKey));
 */
export function signKeyObservationWith(fact: KeyObservationFact, signer: KeyObservationSigner, sign: (message: Uint8Array) => Uint8Array): KeyObservation {
  const doc: Omit<KeyObservation, 'signature'> = {
    v: 1, type: KEY_OBSERVATION_TYPE, iss: fact.iss, jwks_uri: fact.jwks_uri, kid: fact.kid, n: fact.n, e: fact.e, observed_at: fact.observed_at, signer,
  };
  return { ...doc, signature: toHex(sign(keyObservationSignedBytes(doc))) };
}

/**
 * Verifies the observation's signature under its own signer key (strict Ed25519). This proves
 * only that whoever holds signer.publicKey made it; the evidence says who that is.
 * @throws VeilError ERR_OBSERVATION_SIGNATURE_INVALID.
 */
export function verifyKeyObservationSignature(obs: KeyObservation): KeyObservation {
  try {
    verifySignature(keyObservationSignedBytes(obs), obs.signature, obs.signer.publicKey);
  } catch (cause) {
    throw new VeilError('ERR_OBSERVATION_SIGNATURE_INVALID', 'the observation signature does not verify under its signer key', { cause });
  }
  return obs;
}

/**
 * Checks that `jwks_uri` may hold `iss`'s keys (see the file header) and returns the URL.
 * @example
 * aJwksUriForIssuer('https://login.example', 'https://login.example/jwks');
 * @throws VeilError ERR_OBSERVATION_JWKS_HOST.
 */
export function aJwksUriForIssuer(iss: string, jwksUri: string): URL {
  let i: URL;
  let j: URL;
  try {
    i = new URL(iss);
    j = new URL(jwksUri);
  } catch {
    throw new VeilError('ERR_OBSERVATION_JWKS_HOST', 'iss and jwks_uri must be URLs');
  }
  if (i.protocol !== 'https:' || j.protocol !== 'https:') throw new VeilError('ERR_OBSERVATION_JWKS_HOST', 'iss and jwks_uri must be https');
  if (j.username || j.password || j.hash) throw new VeilError('ERR_OBSERVATION_JWKS_HOST', 'jwks_uri must have no credentials or fragment');
  const ownHost = j.host === i.host;
  const documented = j.port === '' && (JWKS_HOSTS[iss] ?? []).includes(j.hostname);
  if (!ownHost && !documented) throw new VeilError('ERR_OBSERVATION_JWKS_HOST', `jwks_uri host ${j.host} is not the host of ${iss}`);
  return j;
}

/**
 * Checks that the observation is of exactly this key: same issuer, kid, modulus and exponent.
 * @throws VeilError ERR_OBSERVATION_MISMATCH (naming the field that differs).
 */
export function assertObservationOf(obs: KeyObservationFact, key: { iss: string; kid: string; n?: string; e?: string }): void {
  for (const f of ['iss', 'kid', 'n', 'e'] as const) {
    if (obs[f] !== key[f]) throw new VeilError('ERR_OBSERVATION_MISMATCH', `the observation is of another ${f === 'n' ? 'modulus' : f === 'e' ? 'exponent' : f}`);
  }
}
