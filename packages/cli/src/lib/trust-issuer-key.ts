// Which issuer keys `veil verify-message` trusts. The board server is not a source of trust: it can
// serve any key under an invented `kid` in `/api/keys` and then fabricate memberships for any domain.
// A key counts only when
//   1. the issuer itself publishes it (OIDC discovery at `<iss>/.well-known/openid-configuration`,
//      whose `issuer` must equal `iss`, then its `jwks_uri`) — in the development profile the dev
//      issuer runs on the board server and that URL IS the issuer; or
//   2. it is in a key set the user pinned (`--jwks FILE`, e.g. saved from the issuer earlier: keys
//      that were rotated away stay verifiable this way); or
//   3. the user explicitly said `--trust-server-keys` (then the output says so).
// (Notarised observations from an attested service the user pins would be a fourth source; not yet.)
// Not checked: that `iss` is an issuer the user wants — the output names it; the server picks `aud`.
import { VeilError } from '@veil/crypto';
import { fetchIssuerJwks } from '@veil/crypto/fetch-issuer-jwks';

export interface IssuerKeyClaim { iss: string; kid: string; jwk: { n?: string; e?: string } }
interface Jwk { kid?: unknown; n?: unknown; e?: unknown }
export type KeySource = 'issuer' | 'pinned' | 'server';

const sameKey = (a: Jwk, b: { n?: string; e?: string }) => a.n === b.n && a.e === b.e;

/**
 * Decides whether `key` (from the board server) may be used, and says why.
 * @throws VeilError ERR_ISSUER_KEY_MISMATCH (the issuer or the pinned set has another key under this
 *   kid), ERR_KEY_UNVERIFIED (only the server vouches for it, without `trustServerKeys`).
 */
export async function trustIssuerKey(key: IssuerKeyClaim, o: { pinned?: { keys: Jwk[] }; trustServerKeys: boolean }): Promise<{ source: KeySource; note: string }> {
  const pinned = o.pinned?.keys.filter((k) => k.kid === key.kid) ?? [];
  if (pinned.some((k) => !sameKey(k, key.jwk))) throw new VeilError('ERR_ISSUER_KEY_MISMATCH', 'the pinned key set (--jwks) has a different key under this kid');
  if (pinned.length > 0) return { source: 'pinned', note: 'key in the pinned key set (--jwks)' };
  const live = await fetchIssuerJwks(key.iss);
  let why: string;
  if ('keys' in live) {
    const published = live.keys.filter((k) => k.kid === key.kid);
    if (published.some((k) => !sameKey(k, key.jwk))) throw new VeilError('ERR_ISSUER_KEY_MISMATCH', 'the issuer publishes a different key under this kid');
    if (published.length > 0) return { source: 'issuer', note: 'key published by the issuer' };
    why = `the issuer does not publish kid ${JSON.stringify(key.kid)} (rotated away, or invented by the server)`;
  } else {
    why = `the issuer's keys could not be read: ${live.error}`;
  }
  if (o.trustServerKeys) return { source: 'server', note: `key vouched for only by the server (--trust-server-keys): ${why}` };
  throw new VeilError('ERR_KEY_UNVERIFIED', `the issuer key is vouched for only by the server: ${why}; pin the issuer's keys with --jwks FILE, or accept the server's word with --trust-server-keys`);
}
