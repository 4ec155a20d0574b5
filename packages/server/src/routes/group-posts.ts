// Posts and likes in person groups, each carrying a group proof instead of a key's signature.
// POST /api/groups/:id/posts — scope = the post id (posts stay unlinkable to each other).
// GET /api/groups/:id/posts — newest first. GET /api/group-posts/:id — one post with its proof.
// POST /api/group-likes — scope like:<post id>: one like per person (a second: 409 ERR_NULLIFIER_USED).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { VeilError, encodeGroupLike, encodeGroupPost, likeScope, messageToField } from '@veil/crypto';
import {
  ErrorResponse, GroupLikeBody, GroupLikeResponse, GroupParams, GroupPostBody, GroupPostItemSchema, GroupPostsQuery, GroupPostsResponse,
  MAX_TEXT_CODE_POINTS, MessageIdSchema, type GroupPostItem,
} from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';
import type { GroupPostRow } from '../storage/types.ts';
import { acceptGroupProof } from '../lib/group-proof.ts';
import { assertFresh } from '../lib/member-auth.ts';

const item = (r: GroupPostRow): GroupPostItem => ({
  post: { v: 1, id: r.id, group: r.group, text: r.text, createdAt: r.createdAt }, proof: r.proof, likes: r.likes, receivedAt: r.receivedAt,
});
const encodeCursor = (seq: number) => Buffer.from(`g${seq}`).toString('base64url');
function decodeCursor(c: string): number {
  const s = Buffer.from(c, 'base64url').toString();
  if (!/^g[1-9]\d{0,15}$/.test(s)) throw new VeilError('ERR_CURSOR_INVALID', 'cursor is not one this server issued');
  return Number(s.slice(1));
}

export function groupPostRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { id: string }; Body: GroupPostBody }>(
    '/api/groups/:id/posts',
    { schema: { params: GroupParams, body: GroupPostBody, response: { 201: GroupPostItemSchema, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req, reply) => {
      // Counted before the (costly) proof verification.
      await ctx.limiter.hit({ key: `group-post:ip:${req.ip}`, limit: ctx.config.rateLimit.groupPostsPerIp });
      const { post, proof } = req.body;
      if (post.group !== req.params.id) throw new VeilError('ERR_VALIDATION', 'post.group must be the group in the path');
      const n = [...post.text].length;
      if (n > MAX_TEXT_CODE_POINTS) throw new VeilError('ERR_TEXT_LENGTH', `text must be 1-${MAX_TEXT_CODE_POINTS} Unicode code points`);
      assertFresh(ctx, post.createdAt, 'createdAt');
      let payload: Uint8Array;
      try {
        payload = encodeGroupPost(post);
      } catch (e) {
        throw new VeilError('ERR_MESSAGE_MALFORMED', (e as Error).message);
      }
      await acceptGroupProof(ctx, post.group, proof, post.id, messageToField(payload));
      const row = await ctx.storage.insertGroupPost({ id: post.id, group: post.group, text: post.text, createdAt: post.createdAt, proof, receivedAt: ctx.now() });
      reply.code(201);
      return item(row);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { cursor?: string; limit?: number } }>(
    '/api/groups/:id/posts',
    { schema: { params: GroupParams, querystring: GroupPostsQuery, response: { 200: GroupPostsResponse, '4xx': ErrorResponse } } },
    async (req) => {
      const limit = req.query.limit ?? 20;
      const rows = await ctx.storage.listGroupPosts(req.params.id, req.query.cursor === undefined ? undefined : decodeCursor(req.query.cursor), limit);
      return { posts: rows.map(item), nextCursor: rows.length === limit ? encodeCursor(rows[rows.length - 1]!.seq) : null };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/group-posts/:id',
    { schema: { params: Type.Object({ id: MessageIdSchema }, { additionalProperties: false }), response: { 200: GroupPostItemSchema, '4xx': ErrorResponse } } },
    async (req) => {
      const row = await ctx.storage.getGroupPost(req.params.id);
      if (!row) throw new VeilError('ERR_NOT_FOUND', 'no such post');
      return item(row);
    },
  );

  app.post<{ Body: GroupLikeBody }>(
    '/api/group-likes',
    { schema: { body: GroupLikeBody, response: { 201: GroupLikeResponse, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req, reply) => {
      await ctx.limiter.hit({ key: `group-like:ip:${req.ip}`, limit: ctx.config.rateLimit.groupLikesPerIp });
      const { like, proof } = req.body;
      assertFresh(ctx, like.createdAt, 'createdAt');
      const post = await ctx.storage.getGroupPost(like.messageId);
      if (!post) throw new VeilError('ERR_NOT_FOUND', 'no such post');
      if (await ctx.storage.nullifierUsed('like', like.messageId, proof.nullifier)) {
        throw new VeilError('ERR_NULLIFIER_USED', 'this person already liked this post (nullifier seen in scope like:<post id>)');
      }
      const { nullifier } = await acceptGroupProof(ctx, post.group, proof, likeScope(like.messageId), messageToField(encodeGroupLike(like)));
      const r = await ctx.storage.addGroupLike({ messageId: like.messageId, nullifier, createdAt: like.createdAt, proof, receivedAt: ctx.now() });
      reply.code(201);
      return { messageId: like.messageId, likes: r.likes };
    },
  );
}
