/**
 * Client of the enrollment service (CLI and browser; runtime-agnostic: fetch + WebCrypto).
 * `connectIdentityService` verifies before it sends anything:
 *   1. GET /attestation/evidence?challenge=<fresh 32 bytes> → verifyEnclaveEvidence against the
 *      expected measurements (simulation only with allowSimulation; loud on the caller's side);
 *   2. GET /identity/v1/signer → the claims key's evidence must verify against the same
 *      measurements AND bind the same channel key, so claims come from the attested instance;
 *   3. every request then goes HPKE-encrypted to that channel key (request-envelope.ts).
 * With allowSimulation and no simulationRoot, the root the service publishes is used: simulation
 * proves nothing either way, and the result says `simulated: true`.
 */
import { VeilError } from '@veil/crypto';
import { parseSimulationRoot } from '@veil/attest/simulation-root';
import { verifyEnclaveEvidence, type SgxQuoteVerifier } from '../verify-evidence.ts';
import { fromBase64, fromHex, toBase64, toHex } from '@veil/crypto/bytes';
import { claimsSignerReportData, verifyBoundEvidence } from './claims-signer.ts';
import { sealIdentityRequest } from './seal-identity-request.ts';
import { publicKeyOf, signAsUser, signedMessages, type KeyAlg } from './user-key.ts';
import type { ClaimsFile } from './claims-file.ts';
import type { EnrollResult } from './wire.ts';
import { maskCredential } from '../notary/mask-credential.ts';

export interface ConnectOptions {
  /** Base URL of the identity (enclave) service. */
  url: string;
  measurements: readonly string[];
  allowSimulation?: boolean;
  simulationRoot?: Uint8Array;
  allowDebug?: boolean;
  verifySgxQuote?: SgxQuoteVerifier;
  fetch?: typeof fetch;
}

/** A verified connection to the identity service. */
export interface IdentityConnection {
  url: string;
  measurement: string;
  simulated: boolean;
  channelPublicKey: Uint8Array;
  signerPublicKey: string;
  providers: string[];
  /** Sends one encrypted op; returns its result or throws the service's error code. */
  request<T = unknown>(op: string, body: unknown): Promise<T>;
}

async function getJson(f: typeof fetch, url: string, init?: RequestInit): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await f(url, { ...init, signal: AbortSignal.timeout(60_000) });
  } catch (cause) {
    throw new VeilError('ERR_IDENTITY_UNREACHABLE', `cannot reach ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    throw new VeilError('ERR_IDENTITY_RESPONSE', `${url}: HTTP ${res.status}, not JSON`);
  }
}

function serviceError(json: unknown, status: number): VeilError {
  const e = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return new VeilError(typeof e?.code === 'string' ? e.code : 'ERR_IDENTITY_RESPONSE', typeof e?.message === 'string' ? e.message : `HTTP ${status}`);
}

/**
 * Verifies the identity service's evidence and returns an encrypted channel to it.
 *
 * @example
 * import { connectIdentityService } from '@veil/identity/enroll';
 * const conn = await connectIdentityService({ url, measurements: [m], verifySgxQuote });
 * @throws VeilError ERR_IDENTITY_UNREACHABLE, the evidence codes (ERR_MEASUREMENT_MISMATCH,
 *   ERR_SIMULATION_NOT_ALLOWED, ERR_REPORT_DATA_MISMATCH, …)
 */
export async function connectIdentityService(opts: ConnectOptions): Promise<IdentityConnection> {
  const f = opts.fetch ?? fetch;
  const base = opts.url.replace(/\/+$/, '');
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const ev = await getJson(f, `${base}/attestation/evidence?challenge=${toHex(challenge)}`);
  if (ev.status !== 200) throw serviceError(ev.json, ev.status);
  const sg = await getJson(f, `${base}/identity/v1/signer`);
  if (sg.status !== 200) throw serviceError(sg.json, sg.status);
  const signer = sg.json as Record<string, unknown>;
  let simulationRoot = opts.simulationRoot;
  if (!simulationRoot && opts.allowSimulation === true && typeof signer.simulationRoot === 'string') simulationRoot = parseSimulationRoot(signer.simulationRoot);
  const trust = {
    measurements: opts.measurements,
    allowSimulation: opts.allowSimulation === true,
    ...(simulationRoot ? { simulationRoot } : {}),
    allowDebug: opts.allowDebug === true,
    ...(opts.verifySgxQuote ? { verifySgxQuote: opts.verifySgxQuote } : {}),
  };
  if ((ev.json as { type?: unknown })?.type === 'simulation' && trust.allowSimulation && !simulationRoot) {
    throw new VeilError('ERR_SIMULATION_NOT_ALLOWED', 'the service publishes no simulation root');
  }
  const verified = await verifyEnclaveEvidence(ev.json, { purpose: 'evidence', challenge, ...trust });
  const signerKey = fromHex(signer.publicKey, 32, 'ERR_EVIDENCE_MALFORMED', 'signer.publicKey');
  const signerChannel = fromHex(signer.channelPublicKey, 32, 'ERR_EVIDENCE_MALFORMED', 'signer.channelPublicKey');
  if (toHex(signerChannel) !== toHex(verified.channelPublicKey)) throw new VeilError('ERR_SIGNER_MISMATCH', 'the claims key belongs to another service instance');
  await verifyBoundEvidence(signer.evidenceType, fromBase64(signer.evidence, 64 * 1024, 'ERR_EVIDENCE_MALFORMED', 'signer.evidence'),
    claimsSignerReportData(signerKey, signerChannel), trust);
  const channelPublicKey = verified.channelPublicKey;
  return {
    url: base,
    measurement: verified.facts.measurement,
    simulated: verified.simulated,
    channelPublicKey,
    signerPublicKey: toHex(signerKey),
    providers: Array.isArray(signer.providers) ? signer.providers.filter((p): p is string => typeof p === 'string') : [],
    async request<T>(op: string, body: unknown): Promise<T> {
      const { message, openReply } = await sealIdentityRequest(channelPublicKey, op, body);
      const res = await getJson(f, `${base}/identity/v1/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
      const j = res.json as { enc?: unknown } | null;
      if (!j || typeof j !== 'object' || j.enc === undefined) throw serviceError(res.json, res.status);
      const reply = await openReply(res.json);
      if (!reply.ok) throw new VeilError(reply.error.code, reply.error.message);
      return reply.result as T;
    },
  };
}

/** A user key as the CLI reads it (the files `veil keygen` writes, optionally with `alg`). */
export interface UserSecretKey {
  alg: KeyAlg;
  secretKey: string;
}

/**
 * Enrolls: asks the service to open the notarised fetch, masks the credential with the keystream
 * it returns (the service never sees the credential in plaintext), and completes with a signature.
 *
 * @example
 * const { fields, claims } = await enroll(conn, { provider: 'dev-registry', credential, key: { alg: 'ed25519', secretKey } });
 * @throws VeilError ERR_PROVIDER_CREDENTIAL_INVALID (length or characters) and the service's codes.
 */
export async function enroll(conn: IdentityConnection, o: { provider: string; credential: string; key: UserSecretKey }): Promise<EnrollResult & { claims: ClaimsFile }> {
  const begun = await conn.request<{ session: string; mask: string; credentialLength: number }>('enroll.begin', { provider: o.provider });
  const mask = fromBase64(begun.mask, 4096, 'ERR_IDENTITY_RESPONSE', 'mask');
  const masked = maskCredential({ credential: { length: mask.length } }, mask, o.credential);
  const key = publicKeyOf(o.key.alg, o.key.secretKey);
  const signature = signAsUser(o.key.alg, o.key.secretKey, signedMessages.enroll(fromHex(begun.session, 32, 'ERR_IDENTITY_RESPONSE', 'session')));
  return conn.request('enroll.complete', { session: begun.session, maskedCredential: toBase64(masked), key, signature });
}

/**
 * Links another key to the UID behind a claims file; both the claims' subject key and the new key sign.
 *
 * @example
 * await link(conn, { claims, holder: enrolledKey, key: walletKey });
 * @throws VeilError ERR_NOT_ENROLLED, ERR_KEY_LINKED_ELSEWHERE, ERR_SIGNATURE_INVALID, the claims codes.
 */
export async function link(conn: IdentityConnection, o: { claims: unknown; holder: UserSecretKey; key: UserSecretKey }): Promise<{ linked: 'linked' | 'already' }> {
  const { session } = await conn.request<{ session: string }>('session', {});
  const key = publicKeyOf(o.key.alg, o.key.secretKey);
  const message = signedMessages.link(fromHex(session, 32, 'ERR_IDENTITY_RESPONSE', 'session'), key);
  return conn.request('link', {
    session, claims: o.claims, key,
    holderSignature: signAsUser(o.holder.alg, o.holder.secretKey, message),
    signature: signAsUser(o.key.alg, o.key.secretKey, message),
  });
}

/**
 * Takes part in `context` once per person.
 *
 * @example
 * await participate(conn, { context: 'poll-42', key });
 * @throws VeilError ERR_ALREADY_PARTICIPATED, ERR_NOT_ENROLLED, ERR_SIGNATURE_INVALID
 */
export async function participate(conn: IdentityConnection, o: { context: string; key: UserSecretKey }): Promise<{ accepted: true; context: string }> {
  const ts = Date.now();
  return conn.request('participate', {
    context: o.context, ts, key: publicKeyOf(o.key.alg, o.key.secretKey),
    signature: signAsUser(o.key.alg, o.key.secretKey, signedMessages.participate(o.context, ts)),
  });
}

/**
 * Registers an identity commitment in a person group (`human`, `country:XX`, `age:18+`) through the
 * registrar; `claims` (the enrollment's claims file) is what admits the person, `key` any linked key.
 * `replace` swaps this person's earlier commitment in the group for the new one (lost device).
 *
 * @example
 * const { leafIndex, size } = await joinGroup(conn, { group: 'human', commitment, claims, key });
 * @throws VeilError ERR_ALREADY_REGISTERED, ERR_NOT_ELIGIBLE, ERR_NOT_ENROLLED, ERR_CLAIMS_NOT_YOURS,
 *   the claims codes and the board's codes.
 */
export async function joinGroup(conn: IdentityConnection, o: { group: string; commitment: string; claims: unknown; key: UserSecretKey; replace?: boolean }): Promise<{ group: string; leafIndex: number; size: number }> {
  const ts = Date.now();
  const replace = o.replace === true;
  return conn.request('group.join', {
    group: o.group, commitment: o.commitment, claims: o.claims, replace, ts, key: publicKeyOf(o.key.alg, o.key.secretKey),
    signature: signAsUser(o.key.alg, o.key.secretKey, signedMessages.groupJoin(o.group, o.commitment, replace, ts)),
  });
}

/**
 * Registers an identity commitment in a member group (`member:<domain>`) with an OIDC ID token of
 * the organisation's issuer whose `nonce` is `memberJoinNonce(group, commitment)`; the token goes
 * to the attested service only, inside the HPKE channel. `replace` swaps this person's earlier
 * commitment in the group for the new one.
 *
 * @example
 * const nonce = memberJoinNonce('member:acme.test', commitment); // sign in with it, then:
 * const { leafIndex, size } = await joinMemberGroup(conn, { group: 'member:acme.test', commitment, token });
 * @throws VeilError ERR_ALREADY_REGISTERED, ERR_NONCE_MISMATCH, ERR_ISSUER_UNKNOWN, ERR_AUD_MISMATCH,
 *   ERR_SIGNATURE_INVALID, ERR_TOKEN_EXPIRED, ERR_EMAIL_UNVERIFIED, ERR_DOMAIN_MISMATCH and the board's codes.
 */
export async function joinMemberGroup(conn: IdentityConnection, o: { group: string; commitment: string; token: string; replace?: boolean }): Promise<{ group: string; leafIndex: number; size: number }> {
  return conn.request('group.join-member', { group: o.group, commitment: o.commitment, token: o.token, replace: o.replace === true });
}
