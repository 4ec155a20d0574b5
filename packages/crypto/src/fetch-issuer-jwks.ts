/**
 * An issuer's published keys, read from the issuer itself: OIDC Discovery 1.0 §4
 * (`<iss>/.well-known/openid-configuration`, whose `issuer` must equal `iss` exactly, §4.3), then
 * its `jwks_uri` (RFC 7517 key set). Verifiers (CLI, browser, and the identity service for member groups) use it to trust an issuer key only
 * when the issuer publishes it, not because a board server says so. Runtime-agnostic (`fetch`).
 * Not checked here: that the keys suit the circuit (`selectIssuerKey` does), TLS beyond what
 * `fetch` does, or that the issuer is one the caller wants.
 */

/** One published JWK, as untrusted JSON. */
export interface PublishedJwk { kid?: unknown; kty?: unknown; n?: unknown; e?: unknown; [k: string]: unknown }

/**
 * The issuer's keys, or why they could not be read (never throws: an unreachable issuer is a
 * verdict the caller reports, e.g. "vouched for only by the server").
 * @example
 * import { fetchIssuerJwks } from '@veil/crypto/fetch-issuer-jwks';
 * const live = await fetchIssuerJwks('https://accounts.google.com');
 * if ('keys' in live) live.keys.find((k) => k.kid === kid);
 */
export async function fetchIssuerJwks(
  iss: string,
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<{ keys: PublishedJwk[] } | { error: string }> {
  const f = opts.fetch ?? fetch;
  const init = (): RequestInit => ({ signal: AbortSignal.timeout(opts.timeoutMs ?? 5000), redirect: 'error' });
  try {
    const discRes = await f(`${iss.replace(/\/$/, '')}/.well-known/openid-configuration`, init());
    if (!discRes.ok) return { error: `discovery answered HTTP ${discRes.status}` };
    const disc = (await discRes.json()) as { issuer?: unknown; jwks_uri?: unknown } | null;
    if (disc?.issuer !== iss) return { error: 'discovery names another issuer' };
    if (typeof disc.jwks_uri !== 'string' || !/^https?:\/\//.test(disc.jwks_uri)) return { error: 'discovery has no jwks_uri' };
    const jwksRes = await f(disc.jwks_uri, init());
    if (!jwksRes.ok) return { error: `jwks_uri answered HTTP ${jwksRes.status}` };
    const jwks = (await jwksRes.json()) as { keys?: unknown } | null;
    if (!Array.isArray(jwks?.keys)) return { error: 'the JWKS has no keys array' };
    return { keys: jwks.keys.filter((k): k is PublishedJwk => typeof k === 'object' && k !== null && !Array.isArray(k)) };
  } catch (e) {
    return { error: `unreachable (${e instanceof Error ? e.message : String(e)})` };
  }
}
