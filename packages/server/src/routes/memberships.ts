// POST /api/memberships — register an ephemeral key with a membership proof bundle.
// GET /api/memberships/:epk — a stored membership with its bundle (public by design: the same data
// is served with every post so that anyone can re-verify it).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { VeilError, aEd25519PublicKey, issuerForIss } from '@veil/crypto';
import { BundleSchema, ErrorResponse, GroupSchema, Hex32, MAX_MEMBERSHIP_SECONDS, MembershipSchema, MembershipWithBundleSchema, type Bundle } from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';

const GROUP_RE = new RegExp(GroupSchema.pattern!);

export function membershipRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Body: Bundle }>(
    '/api/memberships',
    { schema: { body: BundleSchema, response: { 200: MembershipSchema, 201: MembershipSchema, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req, reply) => {
      await ctx.limiter.hit({ key: `membership:ip:${req.ip}`, limit: ctx.config.rateLimit.membershipsPerIp });
      const b = req.body;
      const c = b.claims;
      // Cheap checks first; the proof is verified last, against the registry's key only.
      const issuer = issuerForIss(ctx.config.issuers, c.iss);
      if (!issuer) throw new VeilError('ERR_ISSUER_UNKNOWN', `issuer ${c.iss} is not accepted by this server`);
      if (c.aud !== issuer.aud) throw new VeilError('ERR_AUD_MISMATCH', `aud ${c.aud} is not this server's client id for ${c.iss}`);
      // Each issuer is configured for one statement (a Google board wants hd, not the email domain).
      const variant = b.variant ?? 'oidc';
      if (variant !== issuer.variant) throw new VeilError('ERR_VARIANT_MISMATCH', `${issuer.label} memberships must prove the ${issuer.variant} statement, not ${variant}`);
      // A board that names email domains admits only tenant members whose email is at one of them.
      if (issuer.emailDomains && (c.emailDomain === undefined || !issuer.emailDomains.includes(c.emailDomain))) {
        throw new VeilError('ERR_EMAIL_DOMAIN_MISMATCH', `${issuer.label} memberships must bind an email domain of ${issuer.emailDomains.join(', ')}, not ${c.emailDomain ?? 'none'}`);
      }
      if (!ctx.acceptedCircuits.includes(b.circuit.id)) throw new VeilError('ERR_CIRCUIT_UNKNOWN', `circuit ${b.circuit.id} is not accepted`);
      if (b.crs.kind !== ctx.config.crs) throw new VeilError('ERR_CRS_NOT_ACCEPTED', `proofs must use the ${ctx.config.crs} CRS, not ${b.crs.kind}`);
      if (!GROUP_RE.test(c.domain)) throw new VeilError('ERR_VALIDATION', 'domain must be a lower-case DNS name or tenant id');
      // A small-order key would let anyone sign as this member (R = identity, S = 0 and the like).
      aEd25519PublicKey(Buffer.from(c.epk, 'hex'));
      const nowS = Math.floor(ctx.now() / 1000);
      if (c.expiry <= nowS) throw new VeilError('ERR_MEMBERSHIP_EXPIRED', 'the proof expiry is in the past');
      if (c.expiry > nowS + MAX_MEMBERSHIP_SECONDS) throw new VeilError('ERR_EXPIRY_TOO_FAR', 'the proof expiry is more than 14 days ahead');
      // Keys are registered under the configured iss (a multi-tenant issuer's template).
      const key = await ctx.registry.getKey(issuer.iss, c.kid);
      const claims = await ctx.verifyMembership(b, { keys: [key.jwk] }, {
        iss: c.iss, aud: issuer.aud, domain: c.domain, variant: issuer.variant, now: nowS, allowTestCrs: ctx.config.crs === 'test',
        ...(issuer.emailDomains ? { emailDomain: issuer.emailDomains } : {}),
      });
      // Store what the proof binds (identical to the bundle's claims on success).
      if (claims.epk !== c.epk || claims.domain !== c.domain || claims.expiry !== c.expiry || claims.iss !== c.iss || claims.kid !== c.kid) {
        throw new VeilError('ERR_PROOF_INVALID', 'verified claims differ from the bundle claims');
      }
      const row = { epk: claims.epk, group: claims.domain, iss: claims.iss, kid: claims.kid, expiry: claims.expiry, circuitId: b.circuit.id, bundle: b, createdAt: ctx.now() };
      const result = await ctx.storage.putMembership(row);
      const stored = result === 'unchanged' ? (await ctx.storage.getMembership(row.epk))! : row;
      reply.code(result === 'created' ? 201 : 200);
      return stored;
    },
  );

  app.get<{ Params: { epk: string } }>(
    '/api/memberships/:epk',
    { schema: { params: Type.Object({ epk: Hex32 }, { additionalProperties: false }), response: { 200: MembershipWithBundleSchema, '4xx': ErrorResponse } } },
    async (req) => {
      const m = await ctx.storage.getMembership(req.params.epk);
      if (!m) throw new VeilError('ERR_NOT_FOUND', 'no membership for this key');
      return m;
    },
  );
}
