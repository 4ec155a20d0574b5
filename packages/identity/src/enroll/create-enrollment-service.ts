/**
 * The enrollment service inside the enclave: opens HPKE requests (request-envelope.ts), runs one
 * op each and answers encrypted to the request's reply key.
 *
 *   session          → { session }                      a fresh 32-byte id to sign (link)
 *   enroll.begin     { provider } → { session, mask, credentialLength }
 *                    the notary opens TLS to the provider and hands out only the keystream that
 *                    covers the credential's hole in the request it built
 *   enroll.complete  { session, maskedCredential, key, signature(enroll ‖ session) }
 *                    → { fields, claims }: the provider's record (for the user's eyes only,
 *                    inside the encrypted reply) and a claims file bound to `key`
 *   link             { session, claims, holderSignature, key, signature } — both the claims'
 *                    subject key and the new key sign link ‖ session ‖ new key
 *   participate      { context, ts, key, signature(participate ‖ context ‖ ts) } → { accepted }
 *   group.join       { group, commitment, claims, replace, ts, key, signature(group-join ‖ …) }
 *                    → { group, leafIndex, size }: the registrar (registrar/) inserts the
 *                    commitment for the key's UID; eligibility comes from the verified claims,
 *                    which must belong to the same person as the key
 *   group.join-member { group: member:<domain>, commitment, token, replace } → { group, leafIndex, size }:
 *                    the OIDC ID token is verified here (allow-listed issuer and audience, RS256
 *                    under the issuer's own published key, expiry, email_verified, email domain =
 *                    the group's, nonce = memberJoinNonce(group, commitment)); the person key is the
 *                    OPRF of iss ‖ sub (member-group.ts), so nobody outside links the leaf to the account
 *
 * Enrollment order: the user's signature is checked before the provider is asked; the record is
 * canonicalised (refused if invalid), turned into the UID input and into the UID by the UID
 * service (blinded: the UID service never sees the input); only the UID and the key are stored.
 * The record and the UID input live in this function's locals only and are never logged.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { VeilError, isVeilError } from '@veil/crypto';
import { verifyIdToken, type AcceptedIssuer } from '@veil/crypto/verify-id-token';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { exportSimulationRoot } from '@veil/attest/simulation-root';
import type { ChannelKey } from '../channel.ts';
import { fromBase64, fromHex, toBase64, toHex } from '@veil/crypto/bytes';
import { ageOn, canonicaliseRecord, encodeUidInput } from './canonicalise-record.ts';
import type { KeyObservation, KeyObservationFact } from '@veil/crypto/key-observation';
import { signKeyObservation } from '../key-history/sign-key-observation.ts';
import { createClaimsSigner, type ClaimsSigner, type EvidenceTrust } from './claims-signer.ts';
import { signClaims } from './sign-claims.ts';
import { verifyClaims } from './verify-claims.ts';
import { openIdentityRequest } from './open-identity-request.ts';
import { ReplayCache, REQUEST_WINDOW_MS, type SealedMessage } from './request-envelope.ts';
import type { IdentityStore } from './storage/types.ts';
import type { Registrar } from './registrar/create-registrar.ts';
import { aEligible } from './registrar/group-eligibility.ts';
import { createIssuerKeys } from './issuer-keys.ts';
import { encodeMemberInput, memberJoinNonce } from './member-group.ts';
import { aUserPublicKey, signedMessages, verifyUserSignature } from './user-key.ts';
import { OpBodies, type Op, type OpBody, type SignerResponse } from './wire.ts';

/** A provider entry of the provider registry (the notary reads the rest of it). */
export interface ProviderEntry {
  readonly name: string;
}

/** One notarised fetch in progress (the notary's handle). */
export interface NotarisedFetch {
  /** Keystream bytes covering the credential's hole (its length is the credential's). */
  mask: Uint8Array;
  complete(maskedCredential: Uint8Array): Promise<{ status: number; record: { name: unknown; birthdate: unknown; nationality: unknown }; providerTimeMs?: number }>;
  abort(): void;
}

export interface EnrollmentDeps {
  channel: ChannelKey;
  producer: EvidenceProducer;
  store: IdentityStore;
  providers: readonly ProviderEntry[];
  /** Opens the notarised fetch to a provider (packages/identity/src/notary). */
  beginFetch(provider: ProviderEntry): Promise<NotarisedFetch> | NotarisedFetch;
  /** The UID of a UID input, through the (attested, threshold) UID service; hex or bytes. */
  deriveUid(input: Uint8Array): Promise<string | Uint8Array>;
  /** How the service trusts claims files it did not sign itself (for `link` after a restart). */
  claimsTrust?: EvidenceTrust;
  /** This install's simulation root (simulation only), published with the signer. */
  simulationRoot?: Uint8Array;
  now?: () => number;
  /** Sessions kept at once (default 1000) and their lifetime (default 5 min). */
  maxSessions?: number;
  sessionTtlMs?: number;
  /** The UID nodes in use (reported, e.g. by /api/config in development). */
  uidNodes?: ReadonlyArray<{ name: string; url: string; measurement?: string }>;
  /** The registrar (group.join); without it group.join is refused with ERR_REGISTRAR_UNAVAILABLE. */
  registrar?: Registrar;
  /** ID token issuers and their client ids accepted for member groups (none: member groups refused). */
  memberIssuers?: readonly AcceptedIssuer[];
  /** An issuer's published key by kid (default: read from the issuer itself, `createIssuerKeys`). */
  issuerKey?: (iss: string, kid: string) => Promise<JsonWebKey | undefined>;
  /** Called when the service closes (the store, a development UID node). */
  close?: () => Promise<void>;
}

/** An HTTP answer: status and JSON body (sealed for op outcomes, plain for channel failures). */
export interface EnrollmentAnswer {
  status: number;
  body: SealedMessage | { error: { code: string; message: string } };
}

export interface EnrollmentService {
  /** Handles one POST /identity/v1/request body. */
  handle(message: unknown): Promise<EnrollmentAnswer>;
  signer(): SignerResponse;
  /** Time spent in the last enroll.complete, split by stage (for bench:identity). */
  lastTimings(): { providerMs: number; uidMs: number; totalMs: number } | undefined;
  /** What the service runs with: provider names and UID nodes (no secrets). */
  info(): { providers: string[]; uidNodes: Array<{ name: string; url: string; measurement?: string }> };
  /** The registrar's Ed25519 public key (hex), when the service runs one. */
  registrarKey(): string | undefined;
  /** Signs an issuer-key observation with the claims key (key-history/sign-key-observation.ts). */
  signKeyObservation(fact: KeyObservationFact): KeyObservation;
  /** Aborts open sessions and releases the store. */
  close(): Promise<void>;
}

const compiled = Object.fromEntries(Object.entries(OpBodies).map(([k, s]) => [k, TypeCompiler.Compile(s)])) as unknown as Record<Op, { Check(v: unknown): boolean }>;

/** HTTP status of each op-level error code (anything else is 400). */
const STATUS: Record<string, number> = {
  ERR_ALREADY_PARTICIPATED: 409,
  ERR_ALREADY_REGISTERED: 409,
  ERR_GROUP_UPDATE_LEAF: 409,
  ERR_REGISTRAR_SEQUENCE: 409,
  ERR_NOT_ELIGIBLE: 403,
  ERR_ISSUER_UNKNOWN: 403,
  ERR_AUD_MISMATCH: 403,
  ERR_DOMAIN_MISMATCH: 403,
  ERR_EMAIL_UNVERIFIED: 403,
  ERR_NONCE_MISMATCH: 403,
  ERR_MEMBER_GROUPS_UNAVAILABLE: 503,
  ERR_TOKEN_EXPIRED: 401,
  ERR_ISSUER_KEY_UNKNOWN: 401,
  ERR_ISSUER_UNREACHABLE: 502,
  ERR_CLAIMS_NOT_YOURS: 403,
  ERR_REGISTRAR_UNAVAILABLE: 503,
  ERR_BOARD_UNREACHABLE: 502,
  ERR_KEY_LINKED_ELSEWHERE: 409,
  ERR_NOT_ENROLLED: 404,
  ERR_SESSION_UNKNOWN: 404,
  ERR_PROVIDER_UNKNOWN: 404,
  ERR_SIGNATURE_INVALID: 401,
  ERR_RECORD_INVALID: 422,
  ERR_BUSY: 503,
  ERR_INTERNAL: 500,
};

type Session = { expires: number; fetch?: NotarisedFetch; used?: boolean };

/**
 * Creates the enrollment service (makes the attested claims key first).
 *
 * @example
 * import { createEnrollmentService } from '@veil/identity/enroll';
 * const svc = await createEnrollmentService({ channel, producer, store, providers, beginFetch, deriveUid });
 * const { status, body } = await svc.handle(requestJson);
 * @throws the producer's codes (evidence for the claims key).
 */
export async function createEnrollmentService(deps: EnrollmentDeps): Promise<EnrollmentService> {
  if (!deps?.channel || !deps.producer || !deps.store || typeof deps.beginFetch !== 'function' || typeof deps.deriveUid !== 'function') {
    throw new TypeError('channel, producer, store, beginFetch and deriveUid are required');
  }
  const now = deps.now ?? Date.now;
  const maxSessions = deps.maxSessions ?? 1000;
  const ttl = deps.sessionTtlMs ?? 300_000;
  const signer: ClaimsSigner = await createClaimsSigner(deps.producer, deps.channel.publicKey);
  const cache = new ReplayCache(REQUEST_WINDOW_MS);
  const sessions = new Map<string, Session>();
  const providers = new Map(deps.providers.map((p) => [p.name, p]));
  const issuerKey = deps.issuerKey ?? createIssuerKeys({ now });
  let timings: { providerMs: number; uidMs: number; totalMs: number } | undefined;

  const fail = (code: string, message: string): never => {
    throw new VeilError(code, message);
  };
  function newSession(s: Omit<Session, 'expires'>): string {
    const t = now();
    for (const [k, v] of sessions) if (v.expires <= t) { v.fetch?.abort(); sessions.delete(k); }
    if (sessions.size >= maxSessions) fail('ERR_BUSY', 'too many enrollment sessions open; retry shortly');
    const id = toHex(crypto.getRandomValues(new Uint8Array(32)));
    sessions.set(id, { ...s, expires: t + ttl });
    return id;
  }
  /** Takes a session out (one use only). */
  function takeSession(id: string): Session {
    const s = sessions.get(id);
    sessions.delete(id);
    if (!s || s.expires <= now()) {
      s?.fetch?.abort();
      return fail('ERR_SESSION_UNKNOWN', 'no such session (expired or already used)');
    }
    return s;
  }
  /** The OPRF output (lowercase hex) of a UID or person-key input. */
  async function oprf(input: Uint8Array): Promise<string> {
    const raw = await deps.deriveUid(input);
    const out = typeof raw === 'string' ? raw.toLowerCase() : toHex(raw);
    if (!/^[0-9a-f]{64,128}$/.test(out)) fail('ERR_INTERNAL', 'the UID service returned a malformed UID');
    return out;
  }
  async function uidOf(key: OpBody<'participate'>['key']): Promise<string> {
    return (await deps.store.uidOfKey(key)) ?? fail('ERR_NOT_ENROLLED', 'this key is not linked to an enrolled person');
  }

  const ops: { [O in Op]: (b: OpBody<O>) => Promise<unknown> } = {
    async session() {
      return { session: newSession({}) };
    },
    async 'enroll.begin'(b) {
      const provider = providers.get(b.provider) ?? fail('ERR_PROVIDER_UNKNOWN', `no provider named ${b.provider}`);
      const fetch = await deps.beginFetch(provider);
      let session: string;
      try {
        session = newSession({ fetch });
      } catch (e) {
        fetch.abort();
        throw e;
      }
      return { session, mask: toBase64(fetch.mask), credentialLength: fetch.mask.length };
    },
    async 'enroll.complete'(b) {
      const started = now();
      const key = aUserPublicKey(b.key);
      const session = takeSession(b.session);
      const fetch = session.fetch ?? fail('ERR_SESSION_UNKNOWN', 'this session is not an enrollment session');
      try {
        verifyUserSignature(key, signedMessages.enroll(fromHex(b.session, 32, 'ERR_SESSION_UNKNOWN', 'session')), b.signature);
      } catch (e) {
        fetch.abort();
        throw e;
      }
      const masked = fromBase64(b.maskedCredential, 4096, 'ERR_REQUEST_MALFORMED', 'maskedCredential');
      if (masked.length !== fetch.mask.length) {
        fetch.abort();
        fail('ERR_REQUEST_MALFORMED', `maskedCredential must be ${fetch.mask.length} bytes`);
      }
      const response = await fetch.complete(masked);
      if (response.status !== 200) fail('ERR_PROVIDER_REFUSED', `the provider answered HTTP ${response.status}`);
      const canonical = canonicaliseRecord(response.record, new Date(now()));
      const uidStarted = now();
      const uid = await oprf(encodeUidInput(canonical));
      const uidMs = now() - uidStarted;
      await deps.store.linkKey(uid, key);
      const at = new Date(now());
      const claims = signClaims(signer, key, { nationality: canonical.nationality, age_over_18: ageOn(canonical.birthdate, at) >= 18, unique: true }, at, deps.simulationRoot);
      const record = response.record as { name: string };
      timings = { providerMs: response.providerTimeMs ?? 0, uidMs, totalMs: now() - started };
      return {
        fields: { name: String(record.name).normalize('NFC').replace(/\s+/gu, ' ').trim(), birthdate: canonical.birthdate, nationality: canonical.nationality },
        claims,
      };
    },
    async link(b) {
      const key = aUserPublicKey(b.key);
      const sessionBytes = fromHex(b.session, 32, 'ERR_SESSION_UNKNOWN', 'session');
      takeSession(b.session).fetch?.abort();
      const verified = await verifyOwnClaims(b.claims);
      const message = signedMessages.link(sessionBytes, key);
      verifyUserSignature(verified.subject, message, b.holderSignature);
      verifyUserSignature(key, message, b.signature);
      const uid = await uidOf(verified.subject);
      return { linked: await deps.store.linkKey(uid, key) };
    },
    async participate(b) {
      const key = aUserPublicKey(b.key);
      if (Math.abs(b.ts - now()) > REQUEST_WINDOW_MS) fail('ERR_REQUEST_STALE', 'the participation timestamp is outside the accepted window');
      verifyUserSignature(key, signedMessages.participate(b.context, b.ts), b.signature);
      const uid = await uidOf(key);
      if (!(await deps.store.participate(b.context, uid))) fail('ERR_ALREADY_PARTICIPATED', 'this person already took part in this context');
      return { accepted: true, context: b.context };
    },
    async 'group.join'(b) {
      const registrar = deps.registrar ?? fail('ERR_REGISTRAR_UNAVAILABLE', 'this identity service runs no registrar');
      const key = aUserPublicKey(b.key);
      if (Math.abs(b.ts - now()) > REQUEST_WINDOW_MS) fail('ERR_REQUEST_STALE', 'the timestamp is outside the accepted window');
      verifyUserSignature(key, signedMessages.groupJoin(b.group, b.commitment, b.replace, b.ts), b.signature);
      const uid = await uidOf(key);
      const verified = await verifyOwnClaims(b.claims);
      // Facts only from claims this service attested, and only for the person holding the key.
      if ((await deps.store.uidOfKey(verified.subject)) !== uid) fail('ERR_CLAIMS_NOT_YOURS', 'the claims belong to another person than the key');
      aEligible(b.group, verified.claims);
      return registrar.register({ uid, group: b.group, commitment: b.commitment, replace: b.replace });
    },
    async 'group.join-member'(b) {
      const registrar = deps.registrar ?? fail('ERR_REGISTRAR_UNAVAILABLE', 'this identity service runs no registrar');
      const issuers = deps.memberIssuers ?? [];
      if (issuers.length === 0) fail('ERR_MEMBER_GROUPS_UNAVAILABLE', 'this identity service accepts no ID token issuer for member groups');
      const token = await verifyIdToken(b.token, {
        issuers, key: issuerKey, domain: b.group.slice('member:'.length), nonce: memberJoinNonce(b.group, b.commitment), now: now() / 1000,
      });
      // The person key plays the UID's part: the registrar keeps only HMAC(person key, group) → leaf.
      const personKey = await oprf(encodeMemberInput(token.iss, token.sub));
      return registrar.register({ uid: personKey, group: b.group, commitment: b.commitment, replace: b.replace });
    },
  };

  /** Verifies a claims file issued by this build (this instance, or an earlier one under claimsTrust/simulation). */
  async function verifyOwnClaims(claims: unknown) {
    const own = (claims as { signer?: { publicKey?: unknown } } | null)?.signer?.publicKey === toHex(signer.publicKey);
    const trust: EvidenceTrust = deps.claimsTrust ?? {
      measurements: [deps.producer.measurement],
      allowSimulation: deps.producer.simulated,
      ...(deps.simulationRoot ? { simulationRoot: deps.simulationRoot } : {}),
    };
    if (!own && !deps.claimsTrust && !deps.producer.simulated) fail('ERR_CLAIMS_SIGNER_UNKNOWN', 'claims from another instance need an SGX verifier (claimsTrust)');
    return verifyClaims(claims, trust);
  }

  return {
    async handle(message) {
      let opened;
      try {
        opened = await openIdentityRequest(deps.channel, message, cache, now());
      } catch (e) {
        const code = isVeilError(e) ? e.code : 'ERR_REQUEST_MALFORMED';
        return { status: 400, body: { error: { code, message: isVeilError(e) ? e.message : 'malformed request' } } };
      }
      const op = opened.op as Op;
      try {
        if (!Object.hasOwn(ops, op)) fail('ERR_OP_UNKNOWN', `unknown op ${opened.op}`);
        if (!compiled[op].Check(opened.body)) fail('ERR_REQUEST_MALFORMED', `malformed ${op} body`);
        const result = await (ops[op] as (b: unknown) => Promise<unknown>)(opened.body);
        return { status: 200, body: await opened.reply({ v: 1, ok: true, result }) };
      } catch (e) {
        // Only codes and fixed messages leave: never a field of the record.
        const code = isVeilError(e) ? e.code : 'ERR_INTERNAL';
        const messageText = isVeilError(e) ? e.message : 'internal error';
        return { status: STATUS[code] ?? 400, body: await opened.reply({ v: 1, ok: false, error: { code, message: messageText } }) };
      }
    },
    signer() {
      return {
        v: 1,
        publicKey: toHex(signer.publicKey),
        channelPublicKey: toHex(signer.channelPublicKey),
        evidenceType: signer.type,
        evidence: toBase64(signer.evidence),
        simulated: deps.producer.simulated,
        ...(deps.simulationRoot && deps.producer.simulated ? { simulationRoot: exportSimulationRoot(deps.simulationRoot) } : {}),
        providers: [...providers.keys()],
        ...(deps.registrar ? { registrar: { publicKey: deps.registrar.publicKey, ...deps.registrar.attestation } } : {}),
      };
    },
    lastTimings: () => timings,
    registrarKey: () => deps.registrar?.publicKey,
    signKeyObservation: (fact) => signKeyObservation(signer, fact, deps.producer.simulated ? deps.simulationRoot : undefined),
    info: () => ({ providers: [...providers.keys()], uidNodes: (deps.uidNodes ?? []).map((n) => ({ ...n })) }),
    async close() {
      for (const s of sessions.values()) s.fetch?.abort();
      sessions.clear();
      await deps.close?.();
    },
  };
}
