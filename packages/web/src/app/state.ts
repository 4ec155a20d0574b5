/** App-wide state loaded once per page view: the server's config and the current identity. */
import type { ConfigResponse } from '@veil/server/schemas';
import { getConfig } from './api.ts';
import { isExpired, loadIdentity, type Identity } from './keystore.ts';

let config: Promise<ConfigResponse> | null = null;

export function appConfig(): Promise<ConfigResponse> {
  // A failed load (network) is not cached: Retry asks again.
  config ??= getConfig().catch((e: unknown) => {
    config = null;
    throw e;
  });
  return config;
}

/** The current identity if it is a proven, unexpired member; otherwise null. */
export async function currentMember(): Promise<Identity | null> {
  const id = await loadIdentity('current');
  if (!id || !id.group || isExpired(id)) return null;
  return id;
}
