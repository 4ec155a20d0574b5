/**
 * The key-observation routes on the enclave app (when the service observes issuers):
 *   GET  /identity/v1/key-observations[?iss=]   → { v:1, observations } (the latest round's)
 *   POST /identity/v1/key-observations { iss }  → { v:1, observations } read now (at most once a
 *        minute per issuer; the last round's in between)
 * Errors `{ error: { code, message } }`: 400 ERR_REQUEST_MALFORMED, 404 ERR_ISSUER_UNKNOWN, 502 for
 * an issuer that could not be read (ERR_ISSUER_TLS, ERR_ISSUER_STATUS, ERR_OBSERVATION_JWKS_HOST, …).
 * Observations are public facts; nothing here needs the HPKE channel.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isVeilError } from '@veil/crypto';
import type { KeyObserver } from './create-key-observer.ts';

const IssBody = Type.Object({ iss: Type.String({ minLength: 1, maxLength: 512, pattern: '^https://[\\x21-\\x7e]+$' }) }, { additionalProperties: false });
const IssQuery = Type.Object({ iss: Type.Optional(IssBody.properties.iss) }, { additionalProperties: false });

/**
 * @example
 * registerKeyObservationRoutes(app, observer);
 */
export function registerKeyObservationRoutes(app: FastifyInstance, observer: KeyObserver): void {
  app.addHook('onClose', async () => observer.stop());
  const malformed = { error: { code: 'ERR_REQUEST_MALFORMED', message: 'expected { iss: "https://…" }' } };
  app.get('/identity/v1/key-observations', async (req, reply) => {
    if (!Value.Check(IssQuery, req.query)) return reply.code(400).send(malformed);
    const { iss } = req.query as { iss?: string };
    if (iss !== undefined && !observer.issuers.includes(iss)) return reply.code(404).send({ error: { code: 'ERR_ISSUER_UNKNOWN', message: `${iss} is not observed here` } });
    reply.header('cache-control', 'no-store');
    return { v: 1, observations: observer.latest(iss) };
  });
  app.post('/identity/v1/key-observations', async (req, reply) => {
    if (!Value.Check(IssBody, req.body)) return reply.code(400).send(malformed);
    try {
      const observations = await observer.observe((req.body as { iss: string }).iss);
      reply.header('cache-control', 'no-store');
      return { v: 1, observations };
    } catch (e) {
      if (!isVeilError(e)) throw e;
      return reply.code(e.code === 'ERR_ISSUER_UNKNOWN' ? 404 : 502).send({ error: { code: e.code, message: e.message } });
    }
  });
}
