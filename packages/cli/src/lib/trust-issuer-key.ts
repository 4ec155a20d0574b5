// Which issuer keys `veil verify-message` trusts. The board server is not a source of trust: it can
// serve any key under an invented `kid` in `/api/keys` and then fabricate memberships for any domain.
// A key counts only when
//   1. the issuer itself publishes it (OIDC discovery at `<iss>/.well-known/openid-configuration`,
//      whose `issuer` must equal `iss`, then its `jwks_uri`) — in the development profile the dev
//      issuer runs on the board server and that URL IS the issuer; or
//   2. it is in a key set the user pinned (`--jwks FILE`, e.g. saved from the issuer earlier: keys
//      that were rotated away stay verifiable this way); or
//   3. the issuer no longer publishes the kid, and the server brings a notarised observation of
//      exactly this key (iss, kid, n, e) signed by an attested identity service whose measurement
//      the user pins (`--expect-measurement HEX`, default: the enclave build of these sources;
//      simulation only with `--allow-simulation`): that service read the key from the issuer's
//      jwks_uri over verified TLS at `observed_at` (@veil/identity/key-history); or
//   4. the user explicitly said `--trust-server-keys` (then the output says so).
// Not checked: that `iss` is an issuer the user wants — the output names it; the server picks `aud`.
import { VeilError, isVeilError } from '@veil/crypto';
import { fetchIssuerJwks } from '@veil/crypto/fetch-issuer-jwks';
import type { EvidenceTrust } from '@veil/identity/enroll';
import { verifyKeyObservation } from '@veil/identity/key-history';

export interface IssuerKeyClaim { iss: string; kid: string; jwk: { n?: string; e?: string } }
interface Jwk { kid?: unknown; n?: unknown; e?: unknown }
export type KeySource = 'issuer' | 'pinned' | 'notarised-observation' | 'server';
/** The observation a key was trusted on. */
export interface TrustedObservation { observedAt: string; jwksUri: string; measurement: string; simulated: boolean }

/** Observations of one key checked at most (the board keeps one per observer build and restart). */
export const MAX_OBSERVATIONS = 16;
const sameKey = (a: Jwk, b: { n?: string; e?: string }) => a.n === b.n && a.e === b.e;

export interface TrustOptions {
  /**
   * The issuer whose discovery is asked (default `key.iss`): a proof's tenant issuer when the key is
   * registered under Microsoft's multi-tenant template, which has no discovery of its own.
   */
  askIss?: string;
  pinned?: { keys: Jwk[] };
  trustServerKeys: boolean;
  /** Observations of the key the server brought (untrusted until verified). */
  observations?: readonly unknown[];
  /** How to trust an observer's evidence; called only when an observation is needed. */
  observerTrust?: () => Promise<EvidenceTrust>;
}

/**
 * Decides whether `key` (from the board server) may be used, and says why.
 * @throws VeilError ERR_ISSUER_KEY_MISMATCH (the issuer or the pinned set has another key under this
 *   kid), ERR_KEY_UNVERIFIED (only the server vouches for it, without `trustServerKeys`; the reason
 *   names why each observation, if any, was refused).
 */
export async function trustIssuerKey(key: IssuerKeyClaim, o: TrustOptions): Promise<{ source: KeySource; note: string; observation?: TrustedObservation }> {
  const pinned = o.pinned?.keys.filter((k) => k.kid === key.kid) ?? [];
  if (pinned.some((k) => !sameKey(k, key.jwk))) throw new VeilError('ERR_ISSUER_KEY_MISMATCH', 'the pinned key set (--jwks) has a different key under this kid');
  if (pinned.length > 0) return { source: 'pinned', note: 'key in the pinned key set (--jwks)' };
  const live = await fetchIssuerJwks(o.askIss ?? key.iss);
  let why: string;
  if ('keys' in live) {
    const published = live.keys.filter((k) => k.kid === key.kid);
    if (published.some((k) => !sameKey(k, key.jwk))) throw new VeilError('ERR_ISSUER_KEY_MISMATCH', 'the issuer publishes a different key under this kid');
    if (published.length > 0) return { source: 'issuer', note: 'key published by the issuer' };
    why = `the issuer does not publish kid ${JSON.stringify(key.kid)} (rotated away, or invented by the server)`;
  } else {
    why = `the issuer's keys could not be read: ${live.error}`;
  }
  // A server cannot make the verifier check observations without end: the first few only.
  const observations = (o.observations ?? []).slice(0, MAX_OBSERVATIONS);
  if (observations.length > 0 && o.observerTrust) {
    const trust = await o.observerTrust();
    const refused: string[] = [];
    for (const obs of observations) {
      try {
        const v = await verifyKeyObservation(obs, trust, { iss: key.iss, kid: key.kid, ...(key.jwk.n !== undefined ? { n: key.jwk.n } : {}), ...(key.jwk.e !== undefined ? { e: key.jwk.e } : {}) });
        const observedAt = new Date(v.observation.observed_at * 1000).toISOString();
        return {
          source: 'notarised-observation',
          note: `key observed at ${v.observation.jwks_uri} on ${observedAt} by an attested identity service (measurement ${v.measurement}${v.simulated ? ', SIMULATED attestation' : ''}); ${why}`,
          observation: { observedAt, jwksUri: v.observation.jwks_uri, measurement: v.measurement, simulated: v.simulated },
        };
      } catch (e) {
        if (!isVeilError(e)) throw e;
        refused.push(e.code);
      }
    }
    why += `; ${refused.length} observation${refused.length === 1 ? '' : 's'} refused (${[...new Set(refused)].join(', ')})`;
  }
  if (o.trustServerKeys) return { source: 'server', note: `key vouched for only by the server (--trust-server-keys): ${why}` };
  throw new VeilError('ERR_KEY_UNVERIFIED', `the issuer key is vouched for only by the server: ${why}; pin the issuer's keys with --jwks FILE, pin the measurement of an identity service that observed it (--expect-measurement), or accept the server's word with --trust-server-keys`);
}
