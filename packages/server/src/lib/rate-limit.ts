// Fixed-window rate limiter in memory (per process): at most `limit` hits per `windowMs` per key.
// Keys are namespaced by the caller ("post:key:<epk>", "post:ip:<ip>"). Old windows are swept.
import { VeilError } from '@veil/crypto';

export class RateLimiter {
  readonly #windowMs: number;
  readonly #now: () => number;
  #window = 0;
  #counts = new Map<string, number>();

  constructor(windowMs: number, now: () => number) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Counts one hit; throws ERR_RATE_LIMITED when over `limit` (limit 0 = unlimited). */
  hit(key: string, limit: number): void {
    if (limit <= 0) return;
    const w = Math.floor(this.#now() / this.#windowMs);
    if (w !== this.#window) {
      this.#window = w;
      this.#counts = new Map();
    }
    const n = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, n);
    if (n > limit) throw new VeilError('ERR_RATE_LIMITED', `rate limit exceeded (${limit} per ${this.#windowMs / 1000} s)`);
  }
}
