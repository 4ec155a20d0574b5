// A dumb relay from the board's origin to the identity service beside it, so that browsers (one
// origin, strict CSP, COEP) can reach it: `/api/identity-service/<path>` → `<identity url>/<path>`
// for exactly three endpoints. The relay is untrusted by design: the browser verifies the
// service's evidence itself and every request and answer is HPKE-encrypted end to end, so the board
// sees only ciphertext (it could drop or delay messages, not read or forge them). Requests
// (enrollment steps, group joins: the relay cannot tell them apart) are rate-limited per IP.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteContext } from '../lib/context.ts';

const MAX_BODY = 200 * 1024;

export function identityRelayRoutes(app: FastifyInstance, ctx: RouteContext & { enclave: { url: string } }): void {
  const base = ctx.enclave.url.replace(/\/+$/, '');
  async function relay(reply: FastifyReply, target: string, init: RequestInit): Promise<FastifyReply> {
    let res: Response;
    try {
      res = await fetch(`${base}${target}`, { ...init, redirect: 'error', signal: AbortSignal.timeout(60_000) });
    } catch {
      return reply.code(502).send({ error: { code: 'ERR_IDENTITY_UNREACHABLE', message: 'the identity service did not answer' } });
    }
    const text = await res.text();
    return reply.code(res.status).header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').send(text);
  }
  app.get<{ Querystring: { challenge?: string } }>('/api/identity-service/attestation/evidence', async (req, reply) => {
    const challenge = typeof req.query.challenge === 'string' ? req.query.challenge : '';
    return relay(reply, `/attestation/evidence?challenge=${encodeURIComponent(challenge)}`, { method: 'GET' });
  });
  app.get('/api/identity-service/identity/v1/signer', async (_req, reply) => relay(reply, '/identity/v1/signer', { method: 'GET' }));
  app.post('/api/identity-service/identity/v1/request', { bodyLimit: MAX_BODY }, async (req, reply) => {
    await ctx.limiter.hit({ key: `identity:ip:${req.ip}`, limit: ctx.config.rateLimit.identityRequestsPerIp });
    return relay(reply, '/identity/v1/request', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.body) });
  });
}
