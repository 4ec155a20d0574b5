// GET /api/keys — the issuer key registry: every key ever seen per issuer, with first/last seen,
// and the conflicts (other key material re-published under a bound kid).
import type { FastifyInstance } from 'fastify';
import { ErrorResponse, KeysQuery, KeysResponse } from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';

export function keyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: { iss?: string } }>(
    '/api/keys',
    { schema: { querystring: KeysQuery, response: { 200: KeysResponse, '4xx': ErrorResponse } } },
    async (req) => {
      const [keys, conflicts] = await Promise.all([ctx.storage.listIssuerKeys(req.query.iss), ctx.storage.listIssuerKeyConflicts(req.query.iss)]);
      return { keys, conflicts };
    },
  );
}
