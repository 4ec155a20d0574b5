// JSON over fetch for the UID client, with a timeout; every failure is a UidNodeError naming the node.
import { UidNodeError } from '../errors.ts';

export type Fetch = typeof fetch;

const MAX_RESPONSE_BYTES = 256 * 1024;

export async function requestJson(f: Fetch, node: string, url: string, init: { method: 'GET' | 'POST'; body?: unknown; timeoutMs: number; signal?: AbortSignal }): Promise<unknown> {
  const signals = [AbortSignal.timeout(init.timeoutMs), ...(init.signal ? [init.signal] : [])];
  let res: Response;
  try {
    res = await f(url, {
      method: init.method,
      headers: init.body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.any(signals),
      redirect: 'error',
    });
  } catch (cause) {
    throw new UidNodeError('ERR_UID_NODE_UNAVAILABLE', node, `request to ${url} failed (${(cause as Error)?.name === 'TimeoutError' ? 'timed out' : ((cause as Error)?.message ?? 'error')})`, { cause });
  }
  const text = await res.text().catch(() => '');
  if (text.length > MAX_RESPONSE_BYTES) throw new UidNodeError('ERR_UID_NODE_UNAVAILABLE', node, 'response too large');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UidNodeError(res.ok ? 'ERR_UID_PARTIAL_INVALID' : 'ERR_UID_NODE_UNAVAILABLE', node, `HTTP ${res.status} without a JSON body`);
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: unknown; message?: unknown } })?.error;
    const code = typeof err?.code === 'string' ? err.code.slice(0, 64) : 'unknown';
    const message = typeof err?.message === 'string' ? err.message.slice(0, 300) : '';
    throw new UidNodeError('ERR_UID_NODE_REFUSED', node, `HTTP ${res.status} ${code}${message ? `: ${message}` : ''}`);
  }
  return json;
}
