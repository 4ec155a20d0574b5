/**
 * A development OpenID Provider (panva/oidc-provider) for the development profile only.
 *
 * Implicit flow (`response_type=id_token`, `response_mode=fragment`) for the browser, and
 * authorization code + PKCE (S256) for native clients such as the CLI: either way the RS256 ID token
 * carries the requested `nonce` and `email`, `email_verified`, `hd`, `name`.
 * Plain HTTP on loopback is allowed by registering the client as a "native" application (RFC 8252
 * loopback redirect URIs). Accounts need no password; consent is granted automatically.
 * Keys persist in `<dataDir>/keys.json` (0600); `rotate()` (or `POST <mount>/rotate` with the
 * admin bearer token stored in the same file) makes a new key current and keeps the old one in the
 * JWKS for `graceSeconds`, after which it disappears from the JWKS.
 * The handler takes raw Node requests for paths under the issuer's path (e.g. `/dev-issuer/...`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import Provider from 'oidc-provider';
import type { JWK } from 'jose';
import { DEV_ACCOUNTS, type DevAccount } from './accounts.ts';
import { KeyStore } from './lib/key-store.ts';
import { loginPage } from './lib/login-page.ts';

export interface DevIssuerOptions {
  /** Issuer URL, e.g. `http://127.0.0.1:8080/dev-issuer`. Its path is the mount path. */
  issuer: string;
  /** Directory for keys and secrets. */
  dataDir: string;
  /** The client id (= ID token `aud`). Default `veil-dev`. */
  clientId?: string;
  /** Allowed redirect URIs (exact match). */
  redirectUris: string[];
  /** How long a retired key stays in the JWKS. Default 600 s. */
  graceSeconds?: number;
  /** Injectable clock (ms). */
  now?: () => number;
}

export interface DevIssuer {
  readonly issuer: string;
  readonly clientId: string;
  readonly mountPath: string;
  readonly accounts: readonly DevAccount[];
  /** Bearer token for `POST <mount>/rotate`. */
  readonly adminToken: string;
  /** Discovery document URL, the authorization and the token endpoint. */
  readonly discoveryUrl: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** The currently published public keys. */
  jwks(): { keys: JWK[] };
  /** Rotates the signing key; returns the new key id. */
  rotate(): Promise<{ kid: string }>;
  /** Handles a raw request whose URL path starts with the mount path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * @example
 * import { createDevIssuer } from '@veil/dev-issuer';
 * const dev = await createDevIssuer({ issuer: 'http://127.0.0.1:8080/dev-issuer', dataDir: './data/dev-issuer', redirectUris: ['http://127.0.0.1:8080/'] });
 */
export async function createDevIssuer(opts: DevIssuerOptions): Promise<DevIssuer> {
  const url = new URL(opts.issuer);
  if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new TypeError('issuer: plain HTTP is only allowed on loopback');
  }
  const issuer = opts.issuer.replace(/\/$/, '');
  const mountPath = url.pathname.replace(/\/$/, '');
  if (!mountPath) throw new TypeError('issuer must have a path (e.g. /dev-issuer) to mount under');
  const clientId = opts.clientId ?? 'veil-dev';
  const graceMs = (opts.graceSeconds ?? 600) * 1000;
  const now = opts.now ?? Date.now;
  const store = new KeyStore(opts.dataDir, now());
  const accounts = new Map(DEV_ACCOUNTS.map((a) => [a.sub, a]));

  let provider: Provider;
  let publishedKids = '';

  const build = (): void => {
    const keys = store.published(now(), graceMs);
    publishedKids = keys.map((k) => k.kid).join(',');
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          application_type: 'native',
          // The web app uses the implicit flow; the CLI uses code + PKCE (S256, required for this
          // public client) with an RFC 8252 loopback redirect, whose port the provider ignores.
          grant_types: ['implicit', 'authorization_code'],
          response_types: ['id_token', 'code'],
          redirect_uris: opts.redirectUris,
          token_endpoint_auth_method: 'none',
        },
      ],
      responseTypes: ['id_token', 'code'],
      // The ID token from the token endpoint carries the same claims as the implicit one (the proof needs them).
      conformIdTokenClaims: false,
      jwks: { keys: keys.map((k) => k.privateJwk) as never },
      cookies: { keys: store.cookieKeys },
      claims: { openid: ['sub'], email: ['email', 'email_verified', 'hd'], profile: ['name'] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}` },
      findAccount: async (_ctx, sub) => {
        const a = accounts.get(sub);
        if (!a) return undefined;
        return { accountId: sub, claims: async () => ({ ...a }) };
      },
      ttl: { IdToken: 3600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
      renderError: async (ctx, out) => {
        ctx.type = 'html';
        ctx.body = `<!doctype html><title>DEVELOPMENT issuer error</title><h1>Error</h1><pre>${JSON.stringify(out, null, 2).replace(/</g, '&lt;')}</pre>`;
      },
    });
  };
  build();

  // Drop keys whose grace period ended (checked lazily on every request and JWKS read).
  const refreshIfExpired = (): void => {
    const kids = store.published(now(), graceMs).map((k) => k.kid).join(',');
    if (kids !== publishedKids) build();
  };

  const jwks = (): { keys: JWK[] } => {
    refreshIfExpired();
    return {
      keys: store.published(now(), graceMs).map(({ privateJwk: j }) => ({ kty: j.kty, n: j.n, e: j.e, kid: j.kid, alg: 'RS256', use: 'sig' })),
    };
  };

  const rotate = async (): Promise<{ kid: string }> => {
    const k = store.rotate(now());
    build();
    return { kid: k.kid };
  };

  const send = (res: ServerResponse, status: number, type: string, body: string): void => {
    res.statusCode = status;
    res.setHeader('content-type', type);
    res.setHeader('cache-control', 'no-store');
    res.end(body);
  };

  const readForm = async (req: IncomingMessage): Promise<URLSearchParams> => {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 10_000) throw new Error('form too large');
    }
    return new URLSearchParams(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    refreshIfExpired();
    const full = req.url ?? '/';
    const path = full.split('?')[0]!;
    const rel = path.slice(mountPath.length) || '/';
    try {
      if (rel === '/rotate') {
        if (req.method !== 'POST') return send(res, 405, 'application/json', '{"error":{"code":"ERR_METHOD","message":"POST only"}}');
        const auth = req.headers.authorization ?? '';
        const want = Buffer.from(`Bearer ${store.adminToken}`);
        const got = Buffer.from(auth);
        if (got.length !== want.length || !timingSafeEqual(got, want)) {
          return send(res, 401, 'application/json', '{"error":{"code":"ERR_UNAUTHORIZED","message":"admin token required"}}');
        }
        const r = await rotate();
        return send(res, 200, 'application/json', JSON.stringify(r));
      }
      const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(rel);
      if (m) {
        const details = await provider.interactionDetails(req, res);
        if (details.uid !== m[1]) return send(res, 400, 'text/plain', 'interaction mismatch');
        if (req.method === 'GET' && !m[2]) {
          return send(res, 200, 'text/html; charset=utf-8', loginPage(`${mountPath}/interaction/${details.uid}/login`, clientId, DEV_ACCOUNTS));
        }
        if (req.method === 'POST' && m[2]) {
          const form = await readForm(req);
          const account = accounts.get(form.get('account') ?? '');
          if (!account) return send(res, 400, 'text/plain', 'unknown account');
          const grant = new provider.Grant({ accountId: account.sub, clientId });
          grant.addOIDCScope('openid email profile');
          const grantId = await grant.save();
          await provider.interactionFinished(req, res, { login: { accountId: account.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
          return;
        }
        return send(res, 405, 'text/plain', 'method not allowed');
      }
      // Everything else is the provider itself (discovery, jwks, auth, ...), mounted like Express does.
      const raw = req as IncomingMessage & { originalUrl?: string };
      raw.originalUrl = full;
      req.url = full.slice(mountPath.length) || '/';
      await provider.callback()(req, res);
    } catch (e) {
      if (!res.headersSent) send(res, 400, 'text/plain', `dev issuer: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return {
    issuer,
    clientId,
    mountPath,
    accounts: DEV_ACCOUNTS,
    adminToken: store.adminToken,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    jwks,
    rotate,
    handle,
  };
}
