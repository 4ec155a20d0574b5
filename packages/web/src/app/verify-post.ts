/**
 * What "verified in this browser" means for one post, checked in order:
 * 1. the Ed25519 signature by `message.epk` over the canonical post encoding (`encodePost`);
 * 2. the membership bundle is for that same epk and for the post's group (the proven domain);
 * 3. the bundle's issuer is one this server is configured for, with the configured audience
 *    (`issuerForIss`: a multi-tenant Microsoft issuer admits `…/<tid>/v2.0` of its tenants);
 * 4. the issuer key (that issuer's iss, kid) comes from the server's key registry (`/api/keys`),
 *    the key attached to the post is that same key, and it is one for this proof
 *    (`assertIssuerKeyFor`: the template's key only for the v2.0 iss of the proof's own tenant);
 * 5. the issuer itself (its OIDC discovery and JWKS, fetched by this browser) publishes that key
 *    under that kid: then the badge is green; a different key there is a red badge; when the issuer
 *    does not publish it (rotated away, or invented by the server) or cannot be reached, a notarised
 *    observation of exactly this key, by an identity service whose measurement is pinned in this
 *    build (@veil/identity/key-history), gives a distinct green badge, "key observed by an attested
 *    service"; without one the badge is amber, "key vouched for only by this server" — the server
 *    could have made it up;
 * 6. the post was written before the membership expired;
 * 7. the zero-knowledge membership proof verifies (`@veil/prover` verify) against that key.
 * The reader trusts the server's configured issuer list (which issuer and audience count here) and
 * nothing else the server says; circuit ids and verification keys are pinned in the bundle.
 */
import { assertIssuerKeyFor, encodePost, isVeilError, issuerForIss, verifySignature } from '@veil/crypto';
import type { PublishedJwk } from '@veil/prover/fetch-issuer-jwks';
import type { IssuerInfo, IssuerKey, MessageDetail } from '@veil/server/schemas';

/**
 * `keySource`: 'issuer' when the issuer publishes the key, 'notarised-observation' when a pinned
 * attested service observed it at the issuer, 'server' when only the server vouches for it.
 */
export type Verdict = { ok: true; keySource: 'issuer' | 'notarised-observation' | 'server'; reason?: string } | { ok: false; code: string; reason: string };

/**
 * Verifies one untrusted observation of `key` against the measurements this build pins (throws a
 * VeilError otherwise), e.g. `verifyKeyObservation` of @veil/identity/key-history.
 */
export type ObservationVerifier = (observation: unknown, key: { iss: string; kid: string; n?: string; e?: string }) => Promise<{ observedAt: number; jwksUri: string; measurement: string; simulated: boolean }>;

/** The issuer's own keys (`fetchIssuerJwks`), or why they could not be read. */
export type IssuerKeysFetcher = (iss: string) => Promise<{ keys: PublishedJwk[] } | { error: string }>;

export type MembershipVerifier = (
  bundle: MessageDetail['membership']['bundle'],
  jwks: { keys: IssuerKey['jwk'][] },
  expect: { iss: string; aud: string; domain: string; variant: IssuerInfo['variant']; emailDomain?: string[] },
) => Promise<unknown>;

function fail(code: string, reason: string): Verdict {
  return { ok: false, code, reason };
}

export async function verifyPost(
  detail: MessageDetail,
  ctx: { registry: IssuerKey[]; issuers: IssuerInfo[]; verifyMembership: MembershipVerifier; issuerKeys: IssuerKeysFetcher; verifyObservation?: ObservationVerifier },
): Promise<Verdict> {
  const { message, signature, membership, issuerKey } = detail;
  try {
    verifySignature(encodePost(message), signature, message.epk);
  } catch (e) {
    if (isVeilError(e)) return fail(e.code, 'the signature does not match the post (text, group or time changed?)');
    if (e instanceof TypeError) return fail('ERR_POST_MALFORMED', e.message);
    throw e;
  }
  const claims = membership.bundle.claims;
  if (claims.epk !== message.epk) return fail('ERR_MEMBERSHIP_EPK', 'the membership proof is for a different key');
  if (claims.domain !== message.group) return fail('ERR_MEMBERSHIP_GROUP', `the membership proof is for ${claims.domain}, not ${message.group}`);
  const issuer = issuerForIss(ctx.issuers, claims.iss);
  if (!issuer || issuer.aud !== claims.aud) return fail('ERR_ISSUER_UNKNOWN', `issuer ${claims.iss} (audience ${claims.aud}) is not configured here`);
  // Keys are registered under the configured issuer's iss (a multi-tenant Microsoft issuer's template).
  const key = ctx.registry.find((k) => k.iss === issuer.iss && k.kid === claims.kid);
  if (!key) return fail('ERR_ISSUER_KEY_UNKNOWN', `issuer key ${claims.kid} is not in the key registry`);
  if (issuerKey.iss !== key.iss || issuerKey.kid !== key.kid || issuerKey.jwk.n !== key.jwk.n || issuerKey.jwk.e !== key.jwk.e) {
    return fail('ERR_ISSUER_KEY_MISMATCH', 'the key attached to the post differs from the registry');
  }
  try {
    assertIssuerKeyFor(key.iss, claims, issuer);
  } catch (e) {
    if (isVeilError(e)) return fail(e.code, e.message);
    throw e;
  }
  // The proof's own issuer is asked (a tenant's discovery names its tenant issuer, not the template).
  const live = await ctx.issuerKeys(claims.iss);
  let vouched: string | null = null;
  if ('keys' in live) {
    const published = live.keys.filter((k) => k.kid === key.kid);
    if (published.some((k) => k.n !== key.jwk.n || k.e !== key.jwk.e)) return fail('ERR_ISSUER_KEY_MISMATCH', 'the issuer publishes a different key under this kid');
    if (published.length === 0) vouched = `the issuer does not publish key ${key.kid} (rotated away, or made up by this server)`;
  } else {
    vouched = `the issuer's keys could not be read: ${live.error}`;
  }
  let observed: string | null = null;
  if (vouched !== null && ctx.verifyObservation) {
    const refused: string[] = [];
    // As in the CLI: a server cannot make the browser check observations without end.
    for (const obs of (detail.issuerKeyObservations ?? []).slice(0, 16)) {
      try {
        const v = await ctx.verifyObservation(obs, { iss: key.iss, kid: key.kid, n: key.jwk.n, e: key.jwk.e });
        observed = `key observed at ${v.jwksUri} on ${new Date(v.observedAt * 1000).toISOString()} by an attested identity service (measurement ${v.measurement.slice(0, 16)}…${v.simulated ? ', SIMULATED attestation' : ''}); ${vouched}`;
        break;
      } catch (e) {
        if (!isVeilError(e)) throw e;
        refused.push(e.code);
      }
    }
    if (observed === null && refused.length > 0) vouched += `; ${refused.length} observation${refused.length === 1 ? '' : 's'} refused (${[...new Set(refused)].join(', ')})`;
  }
  if (message.createdAt > claims.expiry * 1000) return fail('ERR_MEMBERSHIP_EXPIRED', 'the post was written after the membership expired');
  try {
    // The statement the server admits for this issuer (google: Workspace hd, not the email's domain;
    // entra: with the email domains it names, bound).
    await ctx.verifyMembership(membership.bundle, { keys: [key.jwk] }, {
      iss: claims.iss, aud: issuer.aud, domain: message.group, variant: issuer.variant, ...(issuer.emailDomains ? { emailDomain: issuer.emailDomains } : {}),
    });
  } catch (e) {
    if (isVeilError(e)) return fail(e.code, e.message);
    throw e;
  }
  if (vouched === null) return { ok: true, keySource: 'issuer' };
  return observed !== null ? { ok: true, keySource: 'notarised-observation', reason: observed } : { ok: true, keySource: 'server', reason: vouched };
}
