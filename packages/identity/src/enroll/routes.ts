/**
 * The enrollment routes on the enclave app:
 *   GET  /identity/v1/signer   → SignerResponse (claims key + its evidence, providers on offer)
 *   POST /identity/v1/request  { v:1, enc, ciphertext } → sealed reply (200, or the error's 4xx/5xx
 *        status with a sealed `{ ok:false, error }`), or plain `{ error }` 400 when the request
 *        itself cannot be opened (tampered, replayed, stale, malformed).
 * Nothing about a request's content is logged (fastify's logger only sees ciphertext).
 */
import type { FastifyInstance } from 'fastify';
import { ErrorResponse } from '../wire.ts';
import type { EnrollmentService } from './create-enrollment-service.ts';
import { MAX_MESSAGE_BYTES } from './request-envelope.ts';
import { SealedMessageSchema, SignerResponse } from './wire.ts';

/**
 * Registers the enrollment routes.
 *
 * @example
 * registerEnrollmentRoutes(app, await createEnrollmentService(deps));
 */
export function registerEnrollmentRoutes(app: FastifyInstance, service: EnrollmentService): void {
  app.addHook('onClose', async () => service.close());
  app.get('/identity/v1/signer', { schema: { response: { 200: SignerResponse } } }, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return service.signer();
  });
  app.post(
    '/identity/v1/request',
    {
      bodyLimit: Math.ceil(MAX_MESSAGE_BYTES / 3) * 4 + 1024,
      schema: { body: SealedMessageSchema, response: { 200: SealedMessageSchema, '4xx': { anyOf: [SealedMessageSchema, ErrorResponse] }, '5xx': { anyOf: [SealedMessageSchema, ErrorResponse] } } },
    },
    async (req, reply) => {
      const answer = await service.handle(req.body);
      reply.header('cache-control', 'no-store');
      return reply.code(answer.status).send(answer.body);
    },
  );
}
