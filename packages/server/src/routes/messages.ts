// POST /api/messages — publish a signed post. GET /api/messages — feeds. GET /api/messages/:id —
// one post with everything needed to re-verify it. Members-only (internal) posts are served only
// to requests signed by a current member of the post's group.
import type { FastifyInstance } from 'fastify';
import { ENTRA_ISS_TEMPLATE, VeilError, encodePost, entraTenantOf, issuerForIss } from '@veil/crypto';
import {
  CreateMessageBody, ErrorResponse, FeedItemSchema, FeedQuery, FeedResponse, MAX_TEXT_CODE_POINTS, MessageDetailResponse, MessageParams,
  type FeedItem,
} from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';
import type { MessageRow } from '../storage/types.ts';
import { assertFresh, countedMember, signedRequestMember } from '../lib/member-auth.ts';
import { verifyEd25519 } from '../lib/ed25519-node.ts';

export const toItem = (r: MessageRow): FeedItem => ({
  message: { v: 1, id: r.id, group: r.group, internal: r.internal, text: r.text, createdAt: r.createdAt, epk: r.epk },
  signature: r.signature,
  likes: r.likes,
  receivedAt: r.receivedAt,
});

const encodeCursor = (seq: number) => Buffer.from(`s${seq}`).toString('base64url');
function decodeCursor(c: string): number {
  const s = Buffer.from(c, 'base64url').toString();
  if (!/^s[1-9]\d{0,15}$/.test(s)) throw new VeilError('ERR_CURSOR_INVALID', 'cursor is not one this server issued');
  return Number(s.slice(1));
}

/** Unicode code points, after rejecting lone surrogates (they have no UTF-8 encoding). */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new VeilError('ERR_MESSAGE_MALFORMED', 'text contains a lone surrogate');
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new VeilError('ERR_MESSAGE_MALFORMED', 'text contains a lone surrogate');
    }
  }
  return n;
}

export function messageRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const rl = ctx.config.rateLimit;

  app.post<{ Body: CreateMessageBody }>(
    '/api/messages',
    { schema: { body: CreateMessageBody, response: { 201: FeedItemSchema, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req, reply) => {
      const { message: m, signature } = req.body;
      const n = codePoints(m.text);
      if (n < 1 || n > MAX_TEXT_CODE_POINTS) throw new VeilError('ERR_TEXT_LENGTH', `text must be 1-${MAX_TEXT_CODE_POINTS} Unicode code points`);
      assertFresh(ctx, m.createdAt, 'createdAt');
      verifyEd25519(encodePost(m), signature, m.epk);
      // Counted once the signature verified (an Ed25519 check is cheaper than a shared counter);
      // only a proven key counts against (and can exhaust) a key's quota.
      await countedMember(ctx, [{ key: `post:ip:${req.ip}`, limit: rl.postsPerIp }, { key: `post:key:${m.epk}`, limit: rl.postsPerKey }], m.epk, m.group);
      const row = await ctx.storage.insertMessage({
        id: m.id, group: m.group, internal: m.internal, text: m.text, createdAt: m.createdAt, epk: m.epk, signature, receivedAt: ctx.now(),
      });
      ctx.feedCache.clear();
      reply.code(201);
      return toItem(row);
    },
  );

  app.get<{ Querystring: FeedQuery }>(
    '/api/messages',
    { schema: { querystring: FeedQuery, response: { 200: FeedResponse, '4xx': ErrorResponse } } },
    async (req, reply) => {
      const q = req.query;
      const limit = q.limit ?? 20;
      const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.internal) {
        if (q.group === undefined) throw new VeilError('ERR_VALIDATION', 'internal=true needs a group');
        const who = await signedRequestMember(ctx, req);
        if (!who) throw new VeilError('ERR_AUTH_REQUIRED', 'the members-only board needs a request signed by a member');
        if (who.group !== q.group) throw new VeilError('ERR_NOT_MEMBER', `this key is not a member of ${q.group}`);
      }
      const cacheable = !q.internal && before === undefined;
      const cacheKey = `${q.group ?? ''}|${limit}`;
      if (cacheable) {
        // Invalidated by every write in this process and by other instances' writes
        // (storage.watchFeeds: PostgreSQL NOTIFY); not used while that signal may be missed. The
        // 1 s age bound is a backstop for writers that bypass Veil.
        const hit = ctx.feeds.live() ? ctx.feedCache.get(cacheKey) : undefined;
        if (hit !== undefined && ctx.now() - hit.at < 1000) return reply.type('application/json; charset=utf-8').send(hit.body);
      }
      const rows = await ctx.storage.listMessages({ ...(q.group !== undefined ? { group: q.group } : {}), internal: q.internal === true, ...(before !== undefined ? { before } : {}), limit });
      const body = { messages: rows.map(toItem), nextCursor: rows.length === limit ? encodeCursor(rows[rows.length - 1]!.seq) : null };
      if (cacheable) {
        if (ctx.feedCache.size > 256) ctx.feedCache.clear();
        ctx.feedCache.set(cacheKey, { body: JSON.stringify(body), at: ctx.now() });
      }
      return body;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/messages/:id',
    { schema: { params: MessageParams, response: { 200: MessageDetailResponse, '4xx': ErrorResponse } } },
    async (req) => {
      const row = await ctx.storage.getMessage(req.params.id);
      if (!row) throw new VeilError('ERR_NOT_FOUND', 'no such message');
      if (row.internal) {
        const who = await signedRequestMember(ctx, req);
        // Members-only posts are indistinguishable from missing ones to anyone else.
        if (!who || who.group !== row.group) throw new VeilError('ERR_NOT_FOUND', 'no such message');
      }
      const membership = await ctx.storage.getMembership(row.epk);
      if (!membership) throw new VeilError('ERR_INTERNAL', 'message without membership');
      // Keys are registered under the configured issuer's iss: a multi-tenant issuer's template, not
      // the tenant's (also for a tenant since dropped from `tenants`: its posts stay readable, and
      // verifiers then refuse the issuer themselves).
      const keyIss = issuerForIss(ctx.config.issuers, membership.iss)?.iss ?? (entraTenantOf(membership.iss) ? ENTRA_ISS_TEMPLATE : membership.iss);
      const key = await ctx.storage.getIssuerKey(keyIss, membership.kid);
      if (!key) throw new VeilError('ERR_INTERNAL', 'membership without a registry key');
      return { ...toItem(row), membership, issuerKey: key, issuerKeyObservations: await ctx.storage.listKeyObservations(key.iss, key.kid) };
    },
  );
}
