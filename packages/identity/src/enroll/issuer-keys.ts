/**
 * ID token issuers' keys for `member:<domain>` groups, read from each issuer itself
 * (`fetchIssuerJwks`: OIDC discovery whose `issuer` must equal `iss`, then `jwks_uri`) — never
 * from the person who hands in the token. Cached per issuer for `ttlMs` (default 5 min); an
 * unknown `kid` refreshes at most once per `minRefreshMs` (default 10 s), so made-up kids cannot
 * make the service hammer the issuer. Only https (plain http on loopback only, for the development
 * issuer): the host the enclave runs on must not be able to hand it other keys.
 */
import { VeilError } from '@veil/crypto';
import { fetchIssuerJwks, type PublishedJwk } from '@veil/crypto/fetch-issuer-jwks';

export interface IssuerKeysOptions {
  fetch?: typeof fetch;
  now?: () => number;
  ttlMs?: number;
  minRefreshMs?: number;
}

/**
 * @example
 * const keyOf = createIssuerKeys();
 * const jwk = await keyOf('https://accounts.google.com', kid);
 * @throws VeilError ERR_ISSUER_UNREACHABLE when the issuer's keys were never read.
 */
export function createIssuerKeys(o: IssuerKeysOptions = {}): (iss: string, kid: string) => Promise<JsonWebKey | undefined> {
  const now = o.now ?? Date.now;
  const ttl = o.ttlMs ?? 300_000;
  const minRefresh = o.minRefreshMs ?? 10_000;
  const cache = new Map<string, { keys: PublishedJwk[]; at: number }>();
  const base = o.fetch ?? fetch;
  // Every URL (discovery, then jwks_uri) must be https; fetchIssuerJwks refuses redirects.
  const secureFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return Promise.reject(new Error(`${url.origin} is not https`));
    return base(input, init);
  };
  return async (iss, kid) => {
    let c = cache.get(iss);
    const find = () => c?.keys.find((k) => k.kid === kid) as JsonWebKey | undefined;
    if (!c || now() - c.at >= ttl || (!find() && now() - c.at >= minRefresh)) {
      const live = await fetchIssuerJwks(iss, { fetch: secureFetch });
      if ('keys' in live) cache.set(iss, (c = { keys: live.keys, at: now() }));
      else if (!c) throw new VeilError('ERR_ISSUER_UNREACHABLE', `the keys of ${iss} could not be read: ${live.error}`);
    }
    return find();
  };
}
