// Membership checks shared by the routes: a key is a member of a group when a verified proof bundle
// for it is stored with that group and its STORED expiry (from the proof) is still in the future.
// Members-only reads are authorised only by a fresh signature over the request (method, origin,
// path, query, timestamp) by such a key — a bare public key is never a credential. The origin is
// never taken from the request (a Host header is the client's to choose): the signature must verify
// for one of this server's configured origins, so a request signed for another board is refused.
import type { FastifyRequest } from 'fastify';
import { VeilError, encodeRequest } from '@veil/crypto';
import { CLOCK_SKEW_MS, SIGNED_REQUEST_HEADERS } from '../schemas.ts';
import type { RouteContext } from './context.ts';
import type { Hit } from './rate-limit.ts';
import { verifyEd25519 } from './ed25519-node.ts';

export async function requireMember(ctx: RouteContext, epk: string, group?: string): Promise<{ group: string; expiry: number }> {
  const m = await ctx.storage.getMembershipStatus(epk);
  if (!m || (group !== undefined && m.group !== group)) {
    throw new VeilError('ERR_NOT_MEMBER', group === undefined ? 'this key has no membership' : `this key is not a member of ${group}`);
  }
  if (m.expiry * 1000 <= ctx.now()) throw new VeilError('ERR_MEMBERSHIP_EXPIRED', 'the membership of this key has expired');
  return m;
}

/**
 * Counts the rate-limit hits and checks the membership in parallel (two independent round trips
 * to a shared database cost one); a rate-limit refusal takes precedence, as if counted first.
 */
export async function countedMember(ctx: RouteContext, hits: Hit[], epk: string, group?: string): Promise<{ group: string; expiry: number }> {
  const [limited, member] = await Promise.allSettled([ctx.limiter.hit(...hits), requireMember(ctx, epk, group)]);
  if (limited.status === 'rejected') throw limited.reason;
  if (member.status === 'rejected') throw member.reason;
  return member.value;
}

export function assertFresh(ctx: RouteContext, t: number, what: string): void {
  if (Math.abs(t - ctx.now()) > CLOCK_SKEW_MS) throw new VeilError('ERR_CLOCK_SKEW', `${what} is more than 5 minutes from server time`);
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

/**
 * The member who signed this request, or null when it carries no signature headers.
 * Throws when the headers are present but malformed, stale, badly signed or not a current member.
 */
export async function signedRequestMember(ctx: RouteContext, req: FastifyRequest): Promise<{ group: string; expiry: number } | null> {
  const h = req.headers;
  const epk = h[SIGNED_REQUEST_HEADERS.epk];
  const ts = h[SIGNED_REQUEST_HEADERS.timestamp];
  const sig = h[SIGNED_REQUEST_HEADERS.signature];
  if (epk === undefined && ts === undefined && sig === undefined) return null;
  if (typeof epk !== 'string' || typeof ts !== 'string' || typeof sig !== 'string' || !HEX64.test(epk) || !HEX128.test(sig) || !/^\d{1,16}$/.test(ts)) {
    throw new VeilError('ERR_AUTH_REQUIRED', 'x-veil-epk, x-veil-timestamp (ms) and x-veil-signature must all be present and well-formed');
  }
  const timestamp = Number(ts);
  assertFresh(ctx, timestamp, 'x-veil-timestamp');
  const url = req.raw.url ?? req.url;
  const q = url.indexOf('?');
  const request = { method: req.method.toUpperCase(), path: q === -1 ? url : url.slice(0, q), query: q === -1 ? '' : url.slice(q + 1), timestamp, epk };
  const origins = ctx.config.origins!;
  for (let i = 0; ; i++) {
    try {
      verifyEd25519(encodeRequest({ ...request, origin: origins[i]! }), sig, epk);
      break;
    } catch (e) {
      if (i === origins.length - 1) throw e;
    }
  }
  return requireMember(ctx, epk);
}
