/**
 * `buildApp(deps)`: the board's HTTP API as an unstarted fastify instance (tests use `inject`).
 * Order: HTTP server (timeouts, per-IP connection cap, Node-level errors in Veil's format),
 * validators/serialisers and body parser, error registry (framework errors included), hooks
 * (security headers on every response, shutdown, dev issuer mount), routes (one plugin per
 * resource), static files.
 */
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { VeilError, isVeilError, type Variant } from '@veil/crypto';
import type { DevIssuer } from '@veil/dev-issuer';
import { defaultOrigins, DEFAULT_HTTP_LIMITS, type ServerConfig } from './config.ts';
import type { Storage } from './storage/types.ts';
import type { KeyRegistry } from './lib/key-registry.ts';
import type { DevRegistryAccess, DevRegistryInfo, EnclaveInfo, GroupProofVerifier, IdentityInfo, MembershipVerifier, RouteContext } from './lib/context.ts';
import { GroupTrees } from './lib/group-trees.ts';
import { devRegistryRoutes } from './routes/dev-registry.ts';
import { identityRelayRoutes } from './routes/identity-relay.ts';
import { RateLimiter } from './lib/rate-limit.ts';
import { statusFor } from './lib/errors.ts';
import { SECURITY_HEADERS } from './lib/security-headers.ts';
import { clientErrorHandler, createLimitedServer } from './lib/http-server.ts';
import { assertUtf8Url, strictJsonBodies, validatorCompiler } from './lib/validators.ts';
import { configRoutes } from './routes/config.ts';
import { membershipRoutes } from './routes/memberships.ts';
import { messageRoutes } from './routes/messages.ts';
import { likeRoutes } from './routes/likes.ts';
import { keyRoutes } from './routes/keys.ts';
import { orgRoutes } from './routes/orgs.ts';
import { staticRoutes } from './routes/static.ts';
import { groupRoutes } from './routes/groups.ts';
import { groupPostRoutes } from './routes/group-posts.ts';
import { pollRoutes } from './routes/polls.ts';

export interface AppDeps {
  config: ServerConfig;
  storage: Storage;
  registry: KeyRegistry;
  verifyMembership: MembershipVerifier;
  /** Group proofs (polls, votes, person-group posts and likes); without it every group proof is refused. */
  verifyGroupProof?: GroupProofVerifier;
  acceptedCircuits: string[];
  /** The statements an accepted membership circuit exists for (default: every configured issuer's). */
  provableVariants?: Variant[];
  now?: () => number;
  devIssuer?: DevIssuer;
  webDist?: string;
  artifactDirs?: string[];
  /** The identity service started beside the board (reported in /api/config). */
  enclave?: EnclaveInfo;
  /** The development data provider started beside the board (reported in /api/config). */
  devRegistry?: DevRegistryInfo;
  /** Its test people and credentials for browsers (development only; /api/dev-registry/*). */
  devRegistryAccess?: DevRegistryAccess;
  /** Enrollment at the identity service (reported in /api/config). */
  identity?: IdentityInfo;
  logger?: FastifyServerOptions['logger'];
}

/**
 * @example
 * import { buildApp } from '@veil/server';
 * const app = await buildApp({ config, storage, registry, verifyMembership, acceptedCircuits });
 * const res = await app.inject({ method: 'GET', url: '/api/config' });
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const limits = deps.config.http ?? DEFAULT_HTTP_LIMITS;
  const app = Fastify({
    logger: deps.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    // Shutdown is answered by the onRequest hook below (fastify's own 503 skips the hooks).
    return503OnClosing: false,
    serverFactory: (handler) => createLimitedServer(limits, handler),
    clientErrorHandler,
    // The router's own refusals (a path that does not percent-decode, an over-long parameter) in
    // Veil's format; they run outside every route context, so no hook adds the headers.
    frameworkErrors: (err, _req, reply) => {
      (reply as unknown as FastifyReply).code(400).headers(SECURITY_HEADERS).send({ error: { code: err.code === 'FST_ERR_BAD_URL' ? 'ERR_BAD_URL' : 'ERR_VALIDATION', message: err.message } });
    },
    ...(deps.config.trustProxy ? { trustProxy: deps.config.trustProxy } : {}),
  });

  app.setValidatorCompiler(validatorCompiler());
  strictJsonBodies(app);

  app.setErrorHandler((err, req, reply) => {
    if (isVeilError(err)) {
      const status = statusFor(err.code);
      if (status >= 500) req.log.error({ err }, 'server error');
      return reply.code(status).send({ error: { code: err.code, message: err.message } });
    }
    const e = err as { validation?: unknown; code?: string; statusCode?: number; message: string };
    if (e.validation) return reply.code(400).send({ error: { code: 'ERR_VALIDATION', message: e.message } });
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: { code: 'ERR_PAYLOAD_TOO_LARGE', message: e.message } });
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ error: { code: 'ERR_UNSUPPORTED_MEDIA_TYPE', message: e.message } });
    if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: { code: 'ERR_VALIDATION', message: e.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'ERR_INTERNAL', message: 'internal error' } });
  });

  app.addHook('onSend', (_req, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    done(null, payload);
  });

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (req, reply, done) => {
    if (closing) {
      reply.header('connection', 'close');
      return done(new VeilError('ERR_SHUTTING_DOWN', 'the server is shutting down, try again'));
    }
    try {
      assertUtf8Url(req.raw.url ?? '');
    } catch (e) {
      return done(e as Error);
    }
    done();
  });

  const dev = deps.devIssuer;
  if (dev) {
    const mount = dev.mountPath;
    app.addHook('onRequest', async (req, reply) => {
      const u = req.raw.url ?? '';
      if (u === mount || u.startsWith(`${mount}/`) || u.startsWith(`${mount}?`)) {
        reply.hijack();
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.raw.setHeader(k, v);
        reply.raw.setHeader('x-veil-profile', 'development');
        await dev.handle(req.raw, reply.raw);
      }
    });
  }

  const feedCache: RouteContext['feedCache'] = new Map();
  const feeds = deps.storage.watchFeeds(() => feedCache.clear());
  app.addHook('onClose', (_app, done) => {
    feeds.close();
    done();
  });

  const ctx: RouteContext = {
    config: { ...deps.config, origins: deps.config.origins ?? defaultOrigins(deps.config.host, deps.config.port) },
    storage: deps.storage,
    registry: deps.registry,
    verifyMembership: deps.verifyMembership,
    acceptedCircuits: deps.acceptedCircuits,
    provableVariants: deps.provableVariants ?? deps.config.issuers.map((i) => i.variant),
    now,
    limiter: new RateLimiter(deps.config.rateLimit.windowMs, now, deps.storage),
    feedCache,
    feeds,
    enclave: deps.enclave ?? null,
    devRegistry: deps.devRegistry ?? null,
    devRegistryAccess: deps.devRegistryAccess ?? null,
    identity: deps.identity ?? null,
    verifyGroupProof: deps.verifyGroupProof ?? (async () => {
      throw new VeilError('ERR_PROOF_INVALID', 'this board verifies no group proofs');
    }),
    groupTrees: new GroupTrees({ storage: deps.storage, registrarKey: deps.config.groups?.registrarKey ?? null, now }),
  };
  configRoutes(app, ctx);
  membershipRoutes(app, ctx);
  messageRoutes(app, ctx);
  likeRoutes(app, ctx);
  keyRoutes(app, ctx);
  if (ctx.devRegistryAccess) devRegistryRoutes(app, ctx.devRegistryAccess);
  if (ctx.enclave) identityRelayRoutes(app, { ...ctx, enclave: ctx.enclave });
  groupRoutes(app, ctx);
  groupPostRoutes(app, ctx);
  pollRoutes(app, ctx);
  orgRoutes(app, ctx);
  const hasWeb = await staticRoutes(app, { ...(deps.webDist ? { webDist: deps.webDist } : {}), ...(deps.artifactDirs ? { artifactDirs: deps.artifactDirs } : {}) });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    // SPA fallback: client-side routes get index.html.
    if (hasWeb && req.method === 'GET' && !path.startsWith('/api/') && !path.startsWith('/artifacts/') && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.type('text/html; charset=utf-8').send(createReadStream(join(deps.webDist!, 'index.html')));
    }
    return reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: `no route ${req.method} ${path}` } });
  });
  return app;
}
