/**
 * The UID service's HTTP app (fastify). `buildUidApp(deps)` returns an app that is not listening
 * yet; uid-service.ts listens. The service is stateless apart from its key share and a bounded,
 * in-memory set of outstanding nonces; it never sees an input, only blinded elements.
 *
 * Routes:
 *   GET  /attestation/evidence?challenge=HEX  evidence with report data
 *        deriveNodeReportData(challenge, publicShare, groupPublicKey)
 *   GET  /uid/v1/challenge                    a fresh single-use 32-byte nonce (expires after nonceTtlMs)
 *   POST /uid/v1/evaluate                     { v, nonces, blindedElements, evidenceType, evidence }
 * Evaluation order: schema → this node's nonce must be listed and live, and is consumed at once
 * (a failed attempt burns it too) → blinded elements decode → the CALLER's evidence verifies
 * against the pinned caller policy with report data deriveEvaluateReportData(nonces, elements)
 * → only then k_i · B_j and the batched DLEQ proof.
 * Errors `{ error: { code, message } }`: 400 ERR_UID_REQUEST_INVALID / ERR_UID_ELEMENT_INVALID,
 * 401 ERR_UID_NONCE_INVALID, 403 ERR_UID_CALLER_UNTRUSTED (the message names the evidence
 * check that failed), 404 ERR_NOT_FOUND, 503 ERR_BUSY / ERR_EVIDENCE_UNAVAILABLE, 500 ERR_INTERNAL.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { VeilError, isVeilError } from '@veil/crypto';
import { evaluateBlinded } from './evaluate.ts';
import { deriveEvaluateReportData, deriveNodeReportData } from './report-data.ts';
import { aTrustPolicy, verifyAttestedEvidence, type TrustPolicy } from './verify-evidence.ts';
import { ChallengeResponse, ErrorResponse, EvaluateRequest, EvaluateResponse, EvidenceQuery, MAX_EVIDENCE_BYTES, NodeEvidenceResponse } from './wire.ts';
import { fromBase64, fromHex, toBase64, toHex } from '@veil/crypto/bytes';
import { decodeElement } from './lib/group.ts';

/** The key share the node serves with (already unsealed). */
export interface UidNodeKey {
  node: string;
  index: number;
  threshold: number;
  secretKey: Uint8Array;
  publicShare: Uint8Array;
  groupPublicKey: Uint8Array;
}

/** What the app needs. */
export interface UidAppDeps {
  producer: EvidenceProducer;
  key: UidNodeKey;
  /** Which identity services may ask for evaluations (pinned measurements; simulation only if allowed). */
  callers: TrustPolicy;
  /** Nonce lifetime. Default 60 s. */
  nonceTtlMs?: number;
  /** Outstanding nonces before answering 503 ERR_BUSY. Default 10,000. */
  maxNonces?: number;
  /** Evidence requests in flight before 503 ERR_BUSY. Default 32. */
  maxPendingEvidence?: number;
  /** Injected clock (ms). Default Date.now. */
  now?: () => number;
  logger?: boolean;
}

const STATUS: Record<string, number> = {
  ERR_UID_REQUEST_INVALID: 400,
  ERR_UID_ELEMENT_INVALID: 400,
  ERR_UID_NONCE_INVALID: 401,
  ERR_UID_CALLER_UNTRUSTED: 403,
  ERR_NOT_FOUND: 404,
  ERR_BUSY: 503,
  ERR_EVIDENCE_UNAVAILABLE: 503,
};

/**
 * Builds the (unstarted) UID service app.
 *
 * @example
 * import { buildUidApp } from '@veil/uid/app';
 * const app = await buildUidApp({ producer, key, callers: { measurements: [identityMeasurement] } });
 * const res = await app.inject({ url: '/uid/v1/challenge' });
 * @throws TypeError for missing or malformed dependencies.
 */
export async function buildUidApp(deps: UidAppDeps): Promise<FastifyInstance> {
  if (!deps?.producer || !deps.key) throw new TypeError('producer and key are required');
  aTrustPolicy(deps.callers, 'callers');
  const { producer, key, callers } = deps;
  const ttl = deps.nonceTtlMs ?? 60_000;
  const maxNonces = deps.maxNonces ?? 10_000;
  const maxPending = deps.maxPendingEvidence ?? 32;
  const now = deps.now ?? Date.now;
  for (const [n, v] of Object.entries({ nonceTtlMs: ttl, maxNonces, maxPendingEvidence: maxPending })) {
    if (!Number.isInteger(v) || v < 1) throw new TypeError(`${n} must be a positive integer`);
  }
  const nonces = new Map<string, number>(); // hex → expiry (ms)
  let pending = 0;
  // Strict validation: unknown fields are refused (not stripped) and nothing is coerced.
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 256 * 1024,
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  });

  app.setErrorHandler((err, _req, reply) => {
    const e = err as { validation?: unknown; statusCode?: number; message?: string };
    if (e.validation) return reply.code(400).send({ error: { code: 'ERR_UID_REQUEST_INVALID', message: e.message ?? 'invalid request' } });
    if (isVeilError(err) && STATUS[err.code]) return reply.code(STATUS[err.code]!).send({ error: { code: err.code, message: err.message } });
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: { code: 'ERR_UID_REQUEST_INVALID', message: e.message ?? 'bad request' } });
    }
    return reply.code(500).send({ error: { code: 'ERR_INTERNAL', message: 'internal error' } });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: 'no such route' } }));
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get<{ Querystring: EvidenceQuery }>(
    '/attestation/evidence',
    { schema: { querystring: EvidenceQuery, response: { 200: NodeEvidenceResponse, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req) => {
      const challenge = fromHex(req.query.challenge, 32, 'ERR_UID_REQUEST_INVALID', 'challenge');
      if (pending >= maxPending) throw new VeilError('ERR_BUSY', 'too many evidence requests in flight');
      pending++;
      let evidence: Uint8Array;
      try {
        evidence = await producer.evidence(deriveNodeReportData(challenge, key.publicShare, key.groupPublicKey));
      } catch (cause) {
        throw new VeilError('ERR_EVIDENCE_UNAVAILABLE', `cannot produce evidence: ${isVeilError(cause) ? cause.code : 'error'}`, { cause });
      } finally {
        pending--;
      }
      return {
        v: 1 as const,
        type: producer.type,
        evidence: toBase64(evidence),
        node: key.node,
        index: key.index,
        threshold: key.threshold,
        publicShare: toHex(key.publicShare),
        groupPublicKey: toHex(key.groupPublicKey),
        measurement: producer.measurement,
        simulated: producer.simulated,
      };
    },
  );

  app.get('/uid/v1/challenge', { schema: { response: { 200: ChallengeResponse, '5xx': ErrorResponse } } }, async () => {
    const t = now();
    if (nonces.size >= maxNonces) for (const [n, exp] of nonces) if (exp <= t) nonces.delete(n);
    if (nonces.size >= maxNonces) throw new VeilError('ERR_BUSY', 'too many outstanding nonces');
    const nonce = toHex(crypto.getRandomValues(new Uint8Array(32)));
    nonces.set(nonce, t + ttl);
    return { v: 1 as const, nonce, expiresInMs: ttl };
  });

  app.post<{ Body: EvaluateRequest }>(
    '/uid/v1/evaluate',
    { schema: { body: EvaluateRequest, response: { 200: EvaluateResponse, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req) => {
      const body = req.body;
      if (new Set(body.nonces).size !== body.nonces.length) throw new VeilError('ERR_UID_REQUEST_INVALID', 'nonces must be distinct');
      const t = now();
      const mine = body.nonces.filter((n) => {
        const exp = nonces.get(n);
        if (exp === undefined) return false;
        nonces.delete(n); // single use, even if what follows fails
        return exp > t;
      });
      if (mine.length !== 1) throw new VeilError('ERR_UID_NONCE_INVALID', 'no live nonce of this node in the request (unknown, expired or already used)');
      const blinded = body.blindedElements.map((h, i) => {
        const b = fromHex(h, 32, 'ERR_UID_ELEMENT_INVALID', `blindedElements[${i}]`);
        decodeElement(b, 'ERR_UID_ELEMENT_INVALID', `blindedElements[${i}]`);
        return b;
      });
      const evidence = fromBase64(body.evidence, MAX_EVIDENCE_BYTES, 'ERR_UID_REQUEST_INVALID', 'evidence');
      const reportData = deriveEvaluateReportData(body.nonces.map((n) => fromHex(n, 32, 'ERR_UID_REQUEST_INVALID', 'nonce')), blinded);
      try {
        await verifyAttestedEvidence({ type: body.evidenceType, evidence, reportData }, callers);
      } catch (cause) {
        const why = isVeilError(cause) ? `${cause.code}: ${cause.message}` : 'evidence check failed';
        throw new VeilError('ERR_UID_CALLER_UNTRUSTED', `caller evidence refused (${why})`, { cause });
      }
      const { evaluated, proof } = evaluateBlinded({ secretKey: key.secretKey, publicKey: key.publicShare, blinded });
      return { v: 1 as const, node: key.node, index: key.index, evaluatedElements: evaluated.map(toHex), proof: toHex(proof) };
    },
  );
  return app;
}
