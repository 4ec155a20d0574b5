// The issuer key registry. The server fetches each configured issuer's JWKS itself (URL, file or an
// in-process source for the dev issuer) — never from a client — and records every RSA signing key
// it has ever seen with first_seen/last_seen. Keys are never deleted, so posts made under a key the
// issuer has since rotated away stay verifiable. Refresh: on a schedule, and on an unknown kid
// (at most once per `minRefreshMs` per issuer, so unknown kids cannot make us hammer the issuer).
import { readFile } from 'node:fs/promises';
import { VeilError } from '@veil/crypto';
import { findNul } from './validators.ts';
import type { Storage, IssuerKeyConflictRow, IssuerKeyRow } from '../storage/types.ts';

export type JwksSource =
  | { url: string }
  | { file: string }
  /** OIDC discovery: `<issuer>/.well-known/openid-configuration` → `jwks_uri`. */
  | { discover: string }
  | { load: () => Promise<{ keys: unknown[] }> | { keys: unknown[] } };

/** https, or plain http on loopback only. */
function secureUrl(u: string): boolean {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

/** Fetches an issuer's OIDC discovery document (5 s timeout). */
export async function discover(iss: string, f: typeof globalThis.fetch = fetch): Promise<{ jwks_uri?: unknown; authorization_endpoint?: unknown; issuer?: unknown }> {
  const res = await f(`${iss.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`discovery HTTP ${res.status}`);
  const doc = (await res.json()) as { jwks_uri?: unknown; authorization_endpoint?: unknown; issuer?: unknown };
  // The discovery document must name the issuer it was fetched for (OIDC Discovery §4.3).
  if (doc.issuer !== iss) throw new Error(`discovery names issuer ${String(doc.issuer)}, expected ${iss}`);
  return doc;
}

export interface RegistryIssuer {
  iss: string;
  jwks: JwksSource;
}

export interface IssuerKeyStatus {
  state: 'loaded' | 'pending' | 'unavailable';
  checkedAt: number | null;
  error?: string;
}

/** One line: the error and its cause, e.g. "could not fetch the JWKS of https://x: HTTP 404". */
export function describeFailure(e: unknown): string {
  const msg = (x: unknown) => (x instanceof Error ? x.message : String(x)).split('\n')[0]!;
  const cause = e instanceof Error && e.cause !== undefined ? `: ${msg(e.cause)}` : '';
  return `${msg(e)}${cause}`.slice(0, 300);
}

export interface KeyRegistryOptions {
  storage: Storage;
  issuers: RegistryIssuer[];
  now: () => number;
  fetch?: typeof globalThis.fetch;
  minRefreshMs?: number;
  /**
   * Told about every kid the issuer re-published with other key material (the first binding is
   * kept). Default: a warning on stderr. The server logs it and lists it in /api/keys.
   */
  onConflict?: (c: IssuerKeyConflictRow) => void;
  /** Told after every successful refresh of an issuer's keys (the board then collects observations). */
  onRefreshed?: (iss: string) => void;
}

const warnConflict = (c: IssuerKeyConflictRow) => {
  console.warn(`veil: issuer ${c.iss} published other key material under kid ${c.kid}; keeping the key first seen for it`);
};

const PUBLIC_RSA_FIELDS = ['kty', 'kid', 'n', 'e', 'alg', 'use'] as const;

export class KeyRegistry {
  readonly #o: KeyRegistryOptions;
  readonly #lastRefresh = new Map<string, number>();
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #status = new Map<string, IssuerKeyStatus>();
  #timer: NodeJS.Timeout | undefined;

  constructor(o: KeyRegistryOptions) {
    this.#o = o;
  }

  /** Fetches the issuer's JWKS now and records its keys. */
  refresh(iss: string): Promise<void> {
    const running = this.#inflight.get(iss);
    if (running) return running;
    const p = this.#refresh(iss)
      .then(
        () => {
          this.#status.set(iss, { state: 'loaded', checkedAt: this.#o.now() });
          this.#o.onRefreshed?.(iss);
        },
        (e: unknown) => {
          this.#status.set(iss, { state: 'unavailable', checkedAt: this.#o.now(), error: describeFailure(e) });
          throw e;
        },
      )
      .finally(() => this.#inflight.delete(iss));
    this.#inflight.set(iss, p);
    return p;
  }

  async #refresh(iss: string): Promise<void> {
    const issuer = this.#o.issuers.find((i) => i.iss === iss);
    if (!issuer) throw new VeilError('ERR_ISSUER_UNKNOWN', `issuer ${iss} is not configured`);
    this.#lastRefresh.set(iss, this.#o.now());
    let doc: { keys?: unknown };
    try {
      const src = issuer.jwks;
      if ('url' in src || 'discover' in src) {
        let url: string;
        if ('url' in src) url = src.url;
        else {
          const d = await discover(src.discover, this.#o.fetch);
          if (typeof d.jwks_uri !== 'string' || !secureUrl(d.jwks_uri)) throw new Error('discovery has no https jwks_uri');
          url = d.jwks_uri;
        }
        const res = await (this.#o.fetch ?? fetch)(url, { signal: AbortSignal.timeout(5000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        doc = (await res.json()) as { keys?: unknown };
      } else if ('file' in src) {
        doc = JSON.parse(await readFile(src.file, 'utf8')) as { keys?: unknown };
      } else {
        doc = await src.load();
      }
    } catch (cause) {
      throw new VeilError('ERR_ISSUER_UNREACHABLE', `could not fetch the JWKS of ${iss}`, { cause });
    }
    const keys = Array.isArray(doc.keys) ? doc.keys : [];
    const usable = keys.flatMap((k) => {
      const j = k as Record<string, unknown>;
      if (j.kty !== 'RSA' || typeof j.kid !== 'string' || typeof j.n !== 'string' || typeof j.e !== 'string') return [];
      if (j.use !== undefined && j.use !== 'sig') return [];
      if (j.alg !== undefined && j.alg !== 'RS256') return [];
      const jwk: Record<string, string> = {};
      for (const f of PUBLIC_RSA_FIELDS) if (typeof j[f] === 'string') jwk[f] = j[f] as string;
      if (findNul(jwk) !== null) return []; // no client could name it, and PostgreSQL cannot store it
      return [{ kid: j.kid, jwk }];
    });
    const conflicts = await this.#o.storage.recordIssuerKeys(iss, usable, this.#o.now());
    for (const c of conflicts) (this.#o.onConflict ?? warnConflict)(c);
  }

  /** Whether the last attempt to load `iss`'s keys worked (`pending` before the first ends). */
  status(iss: string): IssuerKeyStatus {
    return this.#status.get(iss) ?? { state: 'pending', checkedAt: null };
  }

  /** The recorded key, refreshing once (rate-limited) when the kid is unknown. */
  async getKey(iss: string, kid: string): Promise<IssuerKeyRow> {
    const known = await this.#o.storage.getIssuerKey(iss, kid);
    if (known) return known;
    const last = this.#lastRefresh.get(iss) ?? -Infinity;
    if (this.#o.now() - last >= (this.#o.minRefreshMs ?? 10_000)) {
      await this.refresh(iss).catch(() => {});
      const fresh = await this.#o.storage.getIssuerKey(iss, kid);
      if (fresh) return fresh;
    }
    throw new VeilError('ERR_ISSUER_KEY_UNKNOWN', `key ${kid} of ${iss} is not in the issuer key registry`);
  }

  /** Refreshes every issuer now and then every `everyMs` (timer unref'd). */
  async start(everyMs: number, onError: (e: unknown) => void): Promise<void> {
    await Promise.all(this.#o.issuers.map((i) => this.refresh(i.iss).catch(onError)));
    this.#timer = setInterval(() => {
      for (const i of this.#o.issuers) this.refresh(i.iss).catch(onError);
    }, everyMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
