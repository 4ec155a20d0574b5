/**
 * The board API client. Wire types come from `@veil/server/schemas` (type-only imports: nothing
 * from the server ends up in the bundle). Members-only reads are signed with the ephemeral key over
 * `{ method, origin, path, query, timestamp, epk }` (`encodeRequest`): this page's origin (the API is
 * same-origin) and exactly the path and query octets put on the wire.
 */
import { encodeLike, encodePost, encodeRequest, generateMessageId, REQUEST_HEADERS } from '@veil/crypto';
import type {
  Bundle,
  ConfigResponse,
  ErrorResponse,
  FeedResponse,
  KeysResponse,
  LikeResponse,
  MessageDetail,
  OrgsResponse,
  PostWire,
} from '@veil/server/schemas';
import { sign, type Identity } from './keystore.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, query: string, opts: { body?: unknown; identity?: Identity | null } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.identity) {
    const timestamp = Date.now();
    const payload = encodeRequest({ method, origin: location.origin, path, query, timestamp, epk: opts.identity.epk });
    headers[REQUEST_HEADERS.epk] = opts.identity.epk;
    headers[REQUEST_HEADERS.timestamp] = String(timestamp);
    headers[REQUEST_HEADERS.signature] = await sign(opts.identity, payload);
  }
  let res: Response;
  try {
    res = await fetch(query ? `${path}?${query}` : path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    // fetch rejects only when no HTTP answer came back at all.
    throw new ApiError(0, 'ERR_NETWORK', navigator.onLine === false ? 'this device is offline' : 'the server could not be reached (network error, or the server is down)');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'ERR_BAD_RESPONSE', `${method} ${path}: not JSON (HTTP ${res.status})`);
  }
  if (!res.ok) {
    const err = (json as ErrorResponse | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'ERR_HTTP', err?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

export const getConfig = () => call<ConfigResponse>('GET', '/api/config', '');
export const getKeys = () => call<KeysResponse>('GET', '/api/keys', '');
export const getOrgs = () => call<OrgsResponse>('GET', '/api/orgs', '');

export interface FeedOptions {
  group?: string;
  internal?: boolean;
  cursor?: string | null;
  limit?: number;
}

/** One page of a feed; members-only pages are signed with `identity`. */
export function getFeed(opts: FeedOptions, identity?: Identity | null): Promise<FeedResponse> {
  const q = new URLSearchParams();
  if (opts.group) q.set('group', opts.group);
  if (opts.internal) q.set('internal', 'true');
  if (opts.cursor) q.set('cursor', opts.cursor);
  q.set('limit', String(opts.limit ?? 20));
  return call<FeedResponse>('GET', '/api/messages', q.toString(), { identity: opts.internal ? identity : null });
}

/** A post with everything needed to re-verify it. Signed when an identity is given (members-only posts). */
export function getMessage(id: string, identity?: Identity | null): Promise<MessageDetail> {
  return call<MessageDetail>('GET', `/api/messages/${encodeURIComponent(id)}`, '', { identity });
}

export function postMembership(bundle: Bundle): Promise<unknown> {
  return call('POST', '/api/memberships', '', { body: bundle });
}

/** Signs and publishes a post; returns it and its signature as sent. */
export async function publish(identity: Identity, text: string, internal: boolean): Promise<{ message: PostWire; signature: string }> {
  if (!identity.group) throw new Error('this identity is not a member of any group yet');
  const message: PostWire = { v: 1, id: generateMessageId(), group: identity.group, internal, text, createdAt: Date.now(), epk: identity.epk };
  const signature = await sign(identity, encodePost(message));
  await call('POST', '/api/messages', '', { body: { message, signature } });
  return { message, signature };
}

export async function like(identity: Identity, messageId: string, action: 'like' | 'unlike'): Promise<LikeResponse> {
  const body = { v: 1 as const, messageId, action, createdAt: Date.now(), epk: identity.epk };
  const signature = await sign(identity, encodeLike(body));
  return call<LikeResponse>('POST', '/api/likes', '', { body: { like: body, signature } });
}
