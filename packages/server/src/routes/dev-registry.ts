// DEVELOPMENT ONLY: the dev data provider's test people and credentials, through the board (the
// browser cannot reach the registry itself: its CA is the registry's own). Registered only when
// the development profile started a dev registry.
//   GET  /api/dev-registry/people                 → [{ id, name }]
//   POST /api/dev-registry/people/:id/credential  → 201 { id, credential }  (anyone gets anyone's)
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { isVeilError } from '@veil/crypto';
import { ErrorResponse } from '../schemas.ts';
import type { DevRegistryAccess } from '../lib/context.ts';

const Person = Type.Object({ id: Type.String(), name: Type.String() });
const Params = Type.Object({ id: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }) });

export function devRegistryRoutes(app: FastifyInstance, reg: DevRegistryAccess): void {
  app.get('/api/dev-registry/people', { schema: { response: { 200: Type.Array(Person) } } }, async (_req, reply) => {
    reply.header('x-veil-profile', 'development');
    return reg.people;
  });
  app.post<{ Params: { id: string } }>(
    '/api/dev-registry/people/:id/credential',
    { schema: { params: Params, response: { 201: Type.Object({ id: Type.String(), credential: Type.String() }), '4xx': ErrorResponse } } },
    async (req, reply) => {
      reply.header('x-veil-profile', 'development').header('cache-control', 'no-store');
      try {
        return reply.code(201).send({ id: req.params.id, credential: reg.issueCredential(req.params.id) });
      } catch (e) {
        if (isVeilError(e)) return reply.code(404).send({ error: { code: e.code, message: e.message } });
        throw e;
      }
    },
  );
}
