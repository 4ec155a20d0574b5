// Group trees. GET /api/groups — every group with its size (the anonymity set), leaf count and
// current root, plus the registrar key and root window. GET /api/groups/:id/leaves?since=N — the
// signed leaf log from position N (anyone can rebuild the tree and every root from it).
// POST /api/groups/updates — a registrar-signed insertion or removal (the only way a tree changes):
// 201 applied; 200 this exact update (same seq, fields and signature) was applied before — the
// acknowledgement a registrar needs after a crash between sending and recording.
import type { FastifyInstance } from 'fastify';
import { VeilError } from '@veil/crypto';
import {
  ErrorResponse, GroupInfoSchema, GroupLeavesQuery, GroupLeavesResponse, GroupParams, GroupsResponse, GroupUpdateBody, GroupUpdateResponse,
} from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';
import type { GroupState } from '../storage/types.ts';

const info = (g: GroupState) => ({ id: g.group, leaves: g.size, size: g.members, root: g.root, updatedAt: g.updatedAt });

export function groupRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/groups', { schema: { response: { 200: GroupsResponse, '4xx': ErrorResponse } } }, async () => ({
    registrar: ctx.groupTrees.registrarKey,
    rootWindowSeconds: Math.round((ctx.config.groups?.rootWindowMinutes ?? 10) * 60),
    groups: (await ctx.storage.listGroups()).map(info),
  }));

  app.get<{ Params: { id: string } }>(
    '/api/groups/:id',
    { schema: { params: GroupParams, response: { 200: GroupInfoSchema, '4xx': ErrorResponse } } },
    async (req) => {
      const g = await ctx.storage.getGroup(req.params.id);
      if (!g) throw new VeilError('ERR_GROUP_UNKNOWN', `no group ${req.params.id} on this board`);
      return info(g);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { since?: number; limit?: number } }>(
    '/api/groups/:id/leaves',
    { schema: { params: GroupParams, querystring: GroupLeavesQuery, response: { 200: GroupLeavesResponse, '4xx': ErrorResponse } } },
    async (req) => {
      const g = await ctx.storage.getGroup(req.params.id);
      if (!g) throw new VeilError('ERR_GROUP_UNKNOWN', `no group ${req.params.id} on this board`);
      const since = req.query.since ?? 0;
      const limit = req.query.limit ?? 1000;
      const rows = await ctx.storage.listGroupLog(g.group, since, limit);
      const last = rows[rows.length - 1];
      return {
        group: g.group, leaves: g.size, size: g.members, root: g.root,
        entries: rows.map((e) => ({
          pos: e.pos,
          update: { v: 1 as const, seq: e.seq, group: e.group, action: e.action, index: e.index, commitment: e.commitment, createdAt: e.createdAt },
          signature: e.signature, root: e.root, receivedAt: e.receivedAt,
        })),
        next: last && last.pos < g.pos ? last.pos + 1 : null,
      };
    },
  );

  app.post<{ Body: GroupUpdateBody }>(
    '/api/groups/updates',
    { schema: { body: GroupUpdateBody, response: { 200: GroupUpdateResponse, 201: GroupUpdateResponse, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req, reply) => {
      // Before the signature check: junk must not cost a verification each.
      await ctx.limiter.hit({ key: `group-update:ip:${req.ip}`, limit: ctx.config.rateLimit.groupUpdatesPerIp });
      const { update, signature } = req.body;
      const { replayed, ...r } = await ctx.groupTrees.apply(update, signature);
      reply.code(replayed ? 200 : 201);
      return { group: update.group, seq: update.seq, ...r };
    },
  );
}
