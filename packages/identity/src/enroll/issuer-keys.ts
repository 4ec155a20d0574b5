/**
 * ID token issuers' keys for `member:<domain>` groups, read from each issuer itself
 * (`fetchIssuerJwks`: OIDC discovery whose `issuer` must equal `iss`, then `jwks_uri`) — never
 * from the person who hands in the token. Cached per issuer for `ttlMs` (default 5 min); an
 * unknown `kid` refreshes at most once per `minRefreshMs` (default 10 s), so made-up kids cannot
 * make the service hammer the issuer.
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
  return async (iss, kid) => {
    let c = cache.get(iss);
    const find = () => c?.keys.find((k) => k.kid === kid) as JsonWebKey | undefined;
    if (!c || now() - c.at >= ttl || (!find() && now() - c.at >= minRefresh)) {
      const live = await fetchIssuerJwks(iss, o.fetch ? { fetch: o.fetch } : {});
      if ('keys' in live) cache.set(iss, (c = { keys: live.keys, at: now() }));
      else if (!c) throw new VeilError('ERR_ISSUER_UNREACHABLE', `the keys of ${iss} could not be read: ${live.error}`);
    }
    return find();
  };
}
