// A small HTTP client for the board API (`veil join/post/read/like/verify-message`). Server errors
// `{ error: { code, message } }` become VeilErrors with the server's code (CLI exit 1).
import { readFileSync } from 'node:fs';
import { VeilError, encodeRequest, signPayload } from '@veil/crypto';
import { UsageError } from './run.ts';
import { currentServer, loadLogin, type Login } from './logins.ts';

/** What `npm start` serves: the server a newcomer talks to when nothing else is said. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface KeyFile { secretKey: string; publicKey: string }

export function readKeyFile(path: string): KeyFile {
  let k: Partial<KeyFile>;
  try {
    k = JSON.parse(readFileSync(path, 'utf8')) as Partial<KeyFile>;
  } catch (e) {
    throw new UsageError(`--key ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof k.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(k.secretKey) || typeof k.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(k.publicKey)) {
    throw new UsageError(`--key ${path}: expected {"secretKey": hex, "publicKey": hex} as printed by veil keygen`);
  }
  return k as KeyFile;
}

/**
 * --server, else VEIL_SERVER, else the server of the last `veil login`, else `npm start`'s.
 * @example
 * resolveServer(undefined); // 'http://127.0.0.1:8080' on a fresh machine
 * @throws UsageError when the URL is not http(s).
 */
export function resolveServer(flag: string | undefined): string {
  return serverUrl(flag ?? (process.env.VEIL_SERVER || undefined) ?? currentServer() ?? DEFAULT_SERVER);
}

/** The key for requests to `server`: --key FILE, else the one `veil login` stored for it. */
export function resolveKey(flag: string | undefined, server: string): { key: KeyFile; login?: Login } | undefined {
  if (flag !== undefined) return { key: readKeyFile(flag) };
  const login = loadLogin(server);
  return login ? { key: login.key, login } : undefined;
}

/**
 * Like `resolveKey`, but a key is required: says how to get one.
 * @example
 * const { key, login } = requireKey(opts.key, server);
 * @throws UsageError when neither --key nor a stored login gives one.
 */
export function requireKey(flag: string | undefined, server: string): { key: KeyFile; login?: Login } {
  const k = resolveKey(flag, server);
  if (!k) throw new UsageError(`no key for ${server}: run \`veil login --server ${server}\` first (or pass --key FILE from veil keygen + veil join)`);
  return k;
}

export function serverUrl(s: string): string {
  try {
    const u = new URL(s);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return u.origin;
  } catch {
    throw new UsageError(`--server ${s}: not an http(s) URL`);
  }
}

/** Calls the API; `sign` adds the x-veil-* request signature headers. */
export async function api<T>(server: string, method: string, pathAndQuery: string, o: { body?: unknown; sign?: KeyFile } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.sign) {
    const q = pathAndQuery.indexOf('?');
    const timestamp = Date.now();
    const payload = encodeRequest({
      method, origin: new URL(server).origin, path: q === -1 ? pathAndQuery : pathAndQuery.slice(0, q), query: q === -1 ? '' : pathAndQuery.slice(q + 1), timestamp, epk: o.sign.publicKey,
    });
    headers['x-veil-epk'] = o.sign.publicKey;
    headers['x-veil-timestamp'] = String(timestamp);
    headers['x-veil-signature'] = signPayload(payload, o.sign.secretKey);
  }
  let res: Response;
  try {
    res = await fetch(`${server}${pathAndQuery}`, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}), signal: AbortSignal.timeout(60_000) });
  } catch (cause) {
    throw new VeilError('ERR_SERVER_UNREACHABLE', `cannot reach ${server}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VeilError('ERR_SERVER_RESPONSE', `${method} ${pathAndQuery}: HTTP ${res.status}, not JSON`);
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } }).error;
    throw new VeilError(err?.code ?? 'ERR_SERVER_RESPONSE', `${err?.message ?? `HTTP ${res.status}`} (HTTP ${res.status})`);
  }
  return json as T;
}
