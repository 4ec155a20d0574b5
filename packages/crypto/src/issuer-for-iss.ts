/**
 * Which configured issuer a token's `iss` belongs to, and which registered issuer key may verify a
 * membership proof of it: the one tenant → template mapping the board (key lookup), `veil
 * verify-message` and the web badge all use. Microsoft's multi-tenant (`organizations`) discovery
 * names the issuer `https://login.microsoftonline.com/{tenantid}/v2.0`, one per tenant, and every
 * tenant shares one JWKS (Microsoft identity platform, "ID token claims reference"), so a board
 * registers those keys under the template while each token (and proof) names its tenant's issuer.
 * Not checked here: the proof itself (`@veil/prover` verify binds `iss`, `tid` and the group).
 */
import { VeilError } from './errors.ts';
import { ENTRA_CONSUMER_TENANT, TENANT_GUID, entraIssuer } from './lib/entra-tenant.ts';

/** The `issuer` of Microsoft's multi-tenant (`organizations`) discovery document: one per tenant. */
export const ENTRA_ISS_TEMPLATE = 'https://login.microsoftonline.com/{tenantid}/v2.0';

/** What the mapping needs of a configured issuer (server config and `/api/config` both fit). */
export interface IssuerMatchable {
  kind: string;
  iss: string;
  /** Microsoft multi-tenant: the tenant ids admitted; absent = every organisation tenant. */
  tenants?: readonly string[] | undefined;
}

/**
 * The organisation tenant whose v2.0 issuer `iss` is exactly, or undefined (any other string, and
 * always for the personal-accounts tenant).
 * @example
 * entraTenantOf('https://login.microsoftonline.com/4f7c1e2a-93b5-4d0e-8a6f-2b1c9d3e5f70/v2.0'); // '4f7c…5f70'
 */
export function entraTenantOf(iss: string): string | undefined {
  const m = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/.exec(iss);
  const tid = m?.[1];
  if (tid === undefined || !TENANT_GUID.test(tid) || tid === ENTRA_CONSUMER_TENANT || entraIssuer(tid) !== iss) return undefined;
  return tid;
}

/**
 * The configured issuer a token's `iss` belongs to: the one with that `iss`, or a multi-tenant
 * Microsoft issuer (`iss` = `ENTRA_ISS_TEMPLATE`) when `iss` is the v2.0 issuer of an admitted
 * organisation tenant (never the personal-accounts tenant). Its `iss` is where the board registers
 * the keys that sign such tokens.
 * @example
 * const issuer = issuerForIss(config.issuers, bundle.claims.iss);
 */
export function issuerForIss<T extends IssuerMatchable>(issuers: readonly T[], iss: string): T | undefined {
  const exact = issuers.find((i) => i.iss === iss);
  if (exact) return exact;
  const tid = entraTenantOf(iss);
  if (tid === undefined) return undefined;
  return issuers.find((i) => i.kind === 'microsoft' && i.iss === ENTRA_ISS_TEMPLATE && (i.tenants === undefined || i.tenants.includes(tid)));
}

/**
 * The email domain a membership must bind for an issuer whose board names `emailDomains` (entra:
 * tenant members whose email the tenant vouches for, through `xms_edov`, at one of them): the
 * token email's own domain when it is one of them; undefined when the issuer names none. Sign-in
 * clients (`veil login`, the web app) pass it to the prover as `emailDomain`.
 * @example
 * const emailDomain = emailDomainToBind(issuer, payload.email); // 'contoso.com'
 * @throws VeilError ERR_EMAIL_DOMAIN_MISMATCH when the email is missing or at another domain.
 */
export function emailDomainToBind(issuer: { emailDomains?: readonly string[] | undefined; label: string }, email: unknown): string | undefined {
  if (issuer.emailDomains === undefined) return undefined;
  const at = typeof email === 'string' ? email.lastIndexOf('@') : -1;
  const domain = at > 0 ? (email as string).slice(at + 1) : undefined;
  if (domain === undefined || !issuer.emailDomains.includes(domain)) {
    throw new VeilError('ERR_EMAIL_DOMAIN_MISMATCH', `this board admits ${issuer.label} members with an email at ${issuer.emailDomains.join(', ')}; this account's email is ${domain === undefined ? 'missing' : `at ${domain}`}`);
  }
  return domain;
}

/**
 * Checks that an issuer key registered under `keyIss` may verify the membership proof `claims`
 * (its token's `iss` and its group) for `issuer`, the configured issuer `issuerForIss` found for
 * `claims.iss`: the key is registered under that issuer, and that issuer is the proof's own — or
 * it is the configured multi-tenant Microsoft issuer and the proof's `iss` is exactly the v2.0
 * issuer of the proof's own tenant (its group), an organisation tenant.
 * @example
 * assertIssuerKeyFor(detail.issuerKey.iss, bundle.claims, issuerForIss(config.issuers, bundle.claims.iss)!);
 * @throws VeilError ERR_ISSUER_KEY_MISMATCH when the key is not one for this proof's issuer.
 */
export function assertIssuerKeyFor(keyIss: string, claims: { iss: string; domain: string }, issuer: IssuerMatchable): void {
  if (keyIss === issuer.iss && issuer.iss === claims.iss) return;
  const template = issuer.kind === 'microsoft' && issuer.iss === ENTRA_ISS_TEMPLATE && keyIss === ENTRA_ISS_TEMPLATE;
  const tenant = entraTenantOf(claims.iss);
  if (template && tenant !== undefined && tenant === claims.domain && (issuer.tenants === undefined || issuer.tenants.includes(tenant))) return;
  throw new VeilError('ERR_ISSUER_KEY_MISMATCH', `the issuer key of ${keyIss} is not one for a proof of ${claims.iss} (group ${claims.domain})`);
}
