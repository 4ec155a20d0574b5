// Fixed-window rate limits: at most `limit` hits per `windowMs` per counter. Counters are named by
// the caller ("post:key:<epk>", "post:ip:<ip>") and kept by the storage: in PostgreSQL, shared by
// every instance on the database (so N instances still allow the configured rate, not N times it);
// with SQLite, in this process. The hits of one request are counted in one storage call, in order:
// a hit refused by one counter is not counted by the ones after it.
import { VeilError } from '@veil/crypto';
import type { Storage } from '../storage/types.ts';

export interface Hit {
  key: string;
  /** 0 = unlimited (not counted). */
  limit: number;
}

export class RateLimiter {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #storage: Pick<Storage, 'countHits'>;

  constructor(windowMs: number, now: () => number, storage: Pick<Storage, 'countHits'>) {
    this.#windowMs = windowMs;
    this.#now = now;
    this.#storage = storage;
  }

  /** Counts one hit on each counter; throws ERR_RATE_LIMITED when any is over its limit. */
  async hit(...hits: Hit[]): Promise<void> {
    const counted = hits.filter((h) => h.limit > 0);
    if (counted.length === 0) return;
    const window = Math.floor(this.#now() / this.#windowMs);
    const counts = await this.#storage.countHits(counted, window);
    const over = counted.find((h, i) => counts[i] !== null && counts[i]! > h.limit);
    if (over) throw new VeilError('ERR_RATE_LIMITED', `rate limit exceeded (${over.limit} per ${this.#windowMs / 1000} s)`);
  }
}
