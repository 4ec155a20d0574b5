// GET /api/config — what the web app needs to start: profile, issuers (with whether their keys
// could be loaded), accepted circuits, CRS kind.
import type { FastifyInstance } from 'fastify';
import { CLOCK_SKEW_MS, ConfigResponse, ErrorResponse, MAX_MEMBERSHIP_SECONDS, MAX_TEXT_CODE_POINTS } from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';

export function configRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const body = () => ({
    profile: ctx.config.profile,
    issuers: ctx.config.issuers.map((i) => ({
      id: i.id, kind: i.kind, iss: i.iss, aud: i.aud, variant: i.variant, provable: ctx.provableVariants.includes(i.variant),
      ...(i.tenants ? { tenants: i.tenants } : {}),
      ...(i.emailDomains ? { emailDomains: i.emailDomains } : {}),
      authorizationEndpoint: i.authorizationEndpoint ?? null, label: i.label,
      keys: ctx.registry.status(i.iss),
    })),
    circuits: ctx.acceptedCircuits,
    crs: { kind: ctx.config.crs },
    artifacts: '/artifacts',
    enclave: ctx.enclave,
    devRegistry: ctx.devRegistry,
    identity: ctx.identity,
    limits: { maxTextCodePoints: MAX_TEXT_CODE_POINTS, clockSkewMs: CLOCK_SKEW_MS, maxMembershipSeconds: MAX_MEMBERSHIP_SECONDS },
  });
  app.get('/api/config', { schema: { response: { 200: ConfigResponse, '4xx': ErrorResponse } } }, async () => body());
}
