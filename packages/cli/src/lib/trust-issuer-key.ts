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

export interface IssuerKeyClaim { iss: string; kid: string; jwk: { n?: string; e?: string } }
interface Jwk { kid?: unknown; n?: unknown; e?: unknown }
export type KeySource = 'issuer' | 'pinned' | 'server';

const sameKey = (a: Jwk, b: { n?: string; e?: string }) => a.n === b.n && a.e === b.e;

/** The issuer's published keys via OIDC discovery, or the reason it could not be read. */
export async function fetchIssuerJwks(iss: string): Promise<{ keys: Jwk[] } | { error: string }> {
  try {
    const discRes = await fetch(`${iss.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000), redirect: 'error' });
    if (!discRes.ok) return { error: `discovery answered HTTP ${discRes.status}` };
    const disc = (await discRes.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (disc.issuer !== iss) return { error: 'discovery names another issuer' };
    if (typeof disc.jwks_uri !== 'string' || !/^https?:\/\//.test(disc.jwks_uri)) return { error: 'discovery has no jwks_uri' };
    const jwksRes = await fetch(disc.jwks_uri, { signal: AbortSignal.timeout(5000), redirect: 'error' });
    if (!jwksRes.ok) return { error: `jwks_uri answered HTTP ${jwksRes.status}` };
    const jwks = (await jwksRes.json()) as { keys?: unknown };
    if (!Array.isArray(jwks.keys)) return { error: 'the JWKS has no keys array' };
    return { keys: jwks.keys.filter((k): k is Jwk => typeof k === 'object' && k !== null) };
  } catch (e) {
    return { error: `unreachable (${e instanceof Error ? e.message : String(e)})` };
  }
}

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
