/**
 * What "verified in this browser" means for one post, checked in order:
 * 1. the Ed25519 signature by `message.epk` over the canonical post encoding (`encodePost`);
 * 2. the membership bundle is for that same epk and for the post's group (the proven domain);
 * 3. the bundle's issuer is one this server is configured for, with the configured audience;
 * 4. the issuer key (iss, kid) comes from the server's key registry (`/api/keys`), and the key
 *    attached to the post is that same key;
 * 5. the post was written before the membership expired;
 * 6. the zero-knowledge membership proof verifies (`@veil/prover` verify) against that key.
 * The reader trusts the server's registry for issuer keys (it records every key it fetched from the
 * issuer's JWKS) and the configured issuer list; it trusts the server for nothing else.
 */
import { encodePost, isVeilError, verifySignature } from '@veil/crypto';
import type { IssuerInfo, IssuerKey, MessageDetail } from '@veil/server/schemas';

export type Verdict = { ok: true } | { ok: false; code: string; reason: string };

export type MembershipVerifier = (
  bundle: MessageDetail['membership']['bundle'],
  jwks: { keys: IssuerKey['jwk'][] },
  expect: { iss: string; aud: string; domain: string },
) => Promise<unknown>;

function fail(code: string, reason: string): Verdict {
  return { ok: false, code, reason };
}

export async function verifyPost(
  detail: MessageDetail,
  ctx: { registry: IssuerKey[]; issuers: IssuerInfo[]; verifyMembership: MembershipVerifier },
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
  const issuer = ctx.issuers.find((i) => i.iss === claims.iss && i.aud === claims.aud);
  if (!issuer) return fail('ERR_ISSUER_UNKNOWN', `issuer ${claims.iss} (audience ${claims.aud}) is not configured here`);
  const key = ctx.registry.find((k) => k.iss === claims.iss && k.kid === claims.kid);
  if (!key) return fail('ERR_ISSUER_KEY_UNKNOWN', `issuer key ${claims.kid} is not in the key registry`);
  if (issuerKey.iss !== key.iss || issuerKey.kid !== key.kid || issuerKey.jwk.n !== key.jwk.n || issuerKey.jwk.e !== key.jwk.e) {
    return fail('ERR_ISSUER_KEY_MISMATCH', 'the key attached to the post differs from the registry');
  }
  if (message.createdAt > claims.expiry * 1000) return fail('ERR_MEMBERSHIP_EXPIRED', 'the post was written after the membership expired');
  try {
    await ctx.verifyMembership(membership.bundle, { keys: [key.jwk] }, { iss: issuer.iss, aud: issuer.aud, domain: message.group });
  } catch (e) {
    if (isVeilError(e)) return fail(e.code, e.message);
    throw e;
  }
  return { ok: true };
}
