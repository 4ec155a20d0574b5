// GET /api/keys — the issuer key registry: every key ever seen per issuer, with first/last seen,
// the conflicts (other key material re-published under a bound kid) and the notarised
// observations of the keys (lib/key-observations.ts).
import type { FastifyInstance } from 'fastify';
import { ErrorResponse, KeysQuery, KeysResponse } from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';

export function keyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: { iss?: string } }>(
    '/api/keys',
    { schema: { querystring: KeysQuery, response: { 200: KeysResponse, '4xx': ErrorResponse } } },
    async (req) => {
      const [keys, conflicts, observations] = await Promise.all([
        ctx.storage.listIssuerKeys(req.query.iss), ctx.storage.listIssuerKeyConflicts(req.query.iss), ctx.storage.listKeyObservations(req.query.iss),
      ]);
      return { keys, conflicts, observations };
    },
  );
}
