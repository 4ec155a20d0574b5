/**
 * The enclave service's HTTP app (fastify). `buildEnclaveApp(deps)` returns an app that is not
 * listening yet; tests use `inject`, enclave-main.ts listens.
 *
 * Routes:
 *   GET /attestation/evidence?challenge=HEX  → EvidenceResponse, report data =
 *       deriveReportData('evidence', challenge, channelPublicKey)
 *   /identity/v1/*  the enrollment service (enroll/routes.ts), when `enrollment` is given
 *   /identity/v1/key-observations  issuer-key observations (key-history/routes.ts), when `keyObserver` is given
 * Errors are `{ error: { code, message } }`: 400 ERR_CHALLENGE_INVALID for a bad query,
 * 404 ERR_NOT_FOUND, 503 ERR_EVIDENCE_UNAVAILABLE when the producer fails, 503 ERR_BUSY when too
 * many quotes are pending (quote generation is slow and serialised on SGX), 500 otherwise.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { isVeilError } from '@veil/crypto';
import { deriveReportData } from './report-data.ts';
import type { ChannelKey } from './channel.ts';
import { EvidenceQuery, EvidenceResponse, ErrorResponse } from './wire.ts';
import { fromHex, toBase64, toHex } from '@veil/crypto/bytes';
import type { EnrollmentService } from './enroll/create-enrollment-service.ts';
import { registerEnrollmentRoutes } from './enroll/routes.ts';
import type { KeyObserver } from './key-history/create-key-observer.ts';
import { registerKeyObservationRoutes } from './key-history/routes.ts';

/** What the app needs: the evidence producer and the service's channel key. */
export interface EnclaveAppDeps {
  producer: EvidenceProducer;
  channel: ChannelKey;
  /** Fastify logger option (default off). */
  logger?: boolean;
  /** Evidence requests allowed in flight before answering 503 ERR_BUSY (default 32). */
  maxPendingEvidence?: number;
  /** The enrollment service (routes under /identity/v1/), when this instance enrolls people. */
  enrollment?: EnrollmentService;
  /** The issuer-key observer (routes /identity/v1/key-observations), when this instance observes. */
  keyObserver?: KeyObserver;
}

/**
 * Builds the (unstarted) enclave HTTP app.
 *
 * @example
 * import { buildEnclaveApp } from '@veil/identity/app';
 * const app = await buildEnclaveApp({ producer, channel: await generateChannelKey() });
 * const res = await app.inject({ url: `/attestation/evidence?challenge=${'00'.repeat(32)}` });
 */
export async function buildEnclaveApp(deps: EnclaveAppDeps): Promise<FastifyInstance> {
  if (!deps?.producer || !deps.channel) throw new TypeError('producer and channel are required');
  const { producer, channel } = deps;
  const maxPending = deps.maxPendingEvidence ?? 32;
  if (!Number.isInteger(maxPending) || maxPending < 1) throw new TypeError('maxPendingEvidence must be a positive integer');
  let pending = 0;
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: 1024 });

  app.setErrorHandler((err, req, reply) => {
    const e = err as { validation?: unknown; statusCode?: number; code?: string; message?: string };
    if (e.validation && req.url.startsWith('/identity/')) {
      return reply.code(400).send({ error: { code: 'ERR_REQUEST_MALFORMED', message: 'the body must be { v: 1, enc, ciphertext } (base64)' } });
    }
    if (e.validation) {
      return reply.code(400).send({ error: { code: 'ERR_CHALLENGE_INVALID', message: 'challenge must be 32 bytes of hex' } });
    }
    if (isVeilError(err)) {
      return reply.code(503).send({ error: { code: 'ERR_EVIDENCE_UNAVAILABLE', message: `${err.code}: ${err.message}` } });
    }
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: { code: 'ERR_BAD_REQUEST', message: e.message ?? 'bad request' } });
    }
    return reply.code(500).send({ error: { code: 'ERR_INTERNAL', message: 'internal error' } });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: 'no such route' } }));

  app.get<{ Querystring: EvidenceQuery }>(
    '/attestation/evidence',
    { schema: { querystring: EvidenceQuery, response: { 200: EvidenceResponse, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req, reply) => {
      const challenge = fromHex(req.query.challenge, 32, 'ERR_CHALLENGE_INVALID', 'challenge');
      if (pending >= maxPending) {
        return reply.code(503).header('retry-after', '1').send({ error: { code: 'ERR_BUSY', message: 'too many evidence requests in flight' } });
      }
      pending++;
      let evidence: Uint8Array;
      try {
        evidence = await producer.evidence(deriveReportData('evidence', challenge, channel.publicKey));
      } finally {
        pending--;
      }
      reply.header('cache-control', 'no-store');
      return {
        v: 1 as const,
        type: producer.type,
        evidence: toBase64(evidence),
        channelPublicKey: toHex(channel.publicKey),
        measurement: producer.measurement,
        simulated: producer.simulated,
      };
    },
  );
  if (deps.enrollment) registerEnrollmentRoutes(app, deps.enrollment);
  if (deps.keyObserver) registerKeyObservationRoutes(app, deps.keyObserver);
  return app;
}
