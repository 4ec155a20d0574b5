// POST /api/likes — a signed like/unlike; one per key per post; counts kept in the same transaction.
import type { FastifyInstance } from 'fastify';
import { VeilError, encodeLike } from '@veil/crypto';
import { ErrorResponse, LikeBody, LikeResponse } from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';
import { assertFresh, countedMember } from '../lib/member-auth.ts';
import { verifyEd25519 } from '../lib/ed25519-node.ts';

export function likeRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const rl = ctx.config.rateLimit;
  app.post<{ Body: LikeBody }>(
    '/api/likes',
    { schema: { body: LikeBody, response: { 200: LikeResponse, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req) => {
      const { like, signature } = req.body;
      assertFresh(ctx, like.createdAt, 'createdAt');
      verifyEd25519(encodeLike(like), signature, like.epk);
      // Counted once the signature verified (cheaper than a shared counter); only a proven key counts against a key's quota.
      const member = await countedMember(ctx, [{ key: `like:ip:${req.ip}`, limit: rl.likesPerIp }, { key: `like:key:${like.epk}`, limit: rl.likesPerKey }], like.epk);
      const msg = await ctx.storage.getMessage(like.messageId);
      // A members-only post does not exist for non-members, for likes as for reads.
      if (!msg || (msg.internal && msg.group !== member.group)) throw new VeilError('ERR_NOT_FOUND', 'no such message');
      const r = await ctx.storage.applyLike({ messageId: like.messageId, epk: like.epk, liked: like.action === 'like', createdAt: like.createdAt });
      ctx.feedCache.clear();
      return { messageId: like.messageId, ...r };
    },
  );
}
