// Talks to the dev registry a board server advertises in /api/config (development profile only):
// HTTPS pinned to the registry's own CA, answers `{ error: { code, message } }` mapped to VeilErrors.
import { request } from 'node:https';
import { VeilError } from '@veil/crypto';
import { api } from './board-client.ts';

export interface DevRegistryEndpoint { name: string; url: string; caPem: string }

/** The dev registry the board server at `server` runs, or ERR_DEV_REGISTRY_UNAVAILABLE. */
export async function findDevRegistry(server: string): Promise<DevRegistryEndpoint> {
  const config = await api<{ profile?: string; devRegistry?: DevRegistryEndpoint | null }>(server, 'GET', '/api/config');
  if (!config.devRegistry) {
    throw new VeilError('ERR_DEV_REGISTRY_UNAVAILABLE', `${server} runs no dev registry (${config.profile ?? 'unknown'} profile; it exists in the development profile only)`);
  }
  return config.devRegistry;
}

/** One JSON request to the registry; non-2xx answers become VeilErrors with the registry's code. */
export function devRegistryCall<T>(reg: DevRegistryEndpoint, method: 'GET' | 'POST', path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, reg.url), { method, ca: reg.caPem, minVersion: 'TLSv1.3', timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reject(new VeilError('ERR_DEV_REGISTRY_RESPONSE', `${method} ${path}: HTTP ${res.statusCode}, not JSON`));
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(body as T);
        const err = (body as { error?: { code?: string; message?: string } }).error;
        reject(new VeilError(err?.code ?? 'ERR_DEV_REGISTRY_RESPONSE', `${err?.message ?? 'request failed'} (HTTP ${status})`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (cause) => reject(new VeilError('ERR_DEV_REGISTRY_UNREACHABLE', `cannot reach the dev registry at ${reg.url}: ${cause.message}`, { cause })));
    req.end();
  });
}
