// GET /api/orgs — the organisations (email domains) with members here: how many keys are valid
// now (the anonymity set a post hides in), ever registered, and their public activity. Counts only:
// which key belongs to which person is not known to the server.
import type { FastifyInstance } from 'fastify';
import { ErrorResponse, OrgsResponse } from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';

export function orgRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/orgs', { schema: { response: { 200: OrgsResponse, '4xx': ErrorResponse } } }, async () => ({
    orgs: (await ctx.storage.listGroupStats(ctx.now())).map(({ group, ...rest }) => ({ domain: group, ...rest })),
  }));
}
