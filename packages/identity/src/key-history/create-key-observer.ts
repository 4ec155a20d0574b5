/**
 * The identity service's key observer: reads each configured issuer's keys over verified TLS
 * (fetch-issuer-keys.ts) on a schedule and on demand, and signs one observation per key with the
 * attested claims key. It keeps the latest observations per issuer in memory (they are public and
 * re-made on every round; the board stores them for good). On-demand reads of one issuer happen at
 * most once per `minIntervalMs` (the cached ones are returned in between), so callers cannot make
 * the service hammer an issuer; only configured issuers are ever read (no fetch of caller URLs).
 */
import { VeilError } from '@veil/crypto';
import type { KeyObservation, KeyObservationFact } from '@veil/crypto/key-observation';
import { fetchIssuerKeys, type FetchIssuerKeysOptions, type IssuerKeys, type ObservedIssuer } from './fetch-issuer-keys.ts';

export interface KeyObserverOptions {
  /** Signs a fact with the service's attested key (EnrollmentService.signKeyObservation). */
  sign: (fact: KeyObservationFact) => KeyObservation;
  issuers: readonly ObservedIssuer[];
  now?: () => number;
  /** Least time between two reads of one issuer (default 60 s). */
  minIntervalMs?: number;
  fetchOptions?: FetchIssuerKeysOptions;
  /** Injectable for tests of the scheduling only; default fetchIssuerKeys. */
  fetchKeys?: (issuer: ObservedIssuer, o: FetchIssuerKeysOptions) => Promise<IssuerKeys>;
}

export interface KeyObserver {
  readonly issuers: readonly string[];
  /**
   * Reads `iss`'s keys now (or returns the last round's when it is younger than minIntervalMs).
   * @throws VeilError ERR_ISSUER_UNKNOWN, and fetchIssuerKeys' codes.
   */
  observe(iss: string): Promise<KeyObservation[]>;
  /** The latest observations, of one issuer or of all. */
  latest(iss?: string): KeyObservation[];
  /**
   * Starts a round of every issuer now (not awaited: an unreachable issuer must not hold up the
   * service's start) and then every `everyMs` (timer unref'd); failures go to `onError`.
   */
  start(everyMs: number, onError: (iss: string, e: unknown) => void): void;
  stop(): void;
}

/**
 * @example
 * const observer = createKeyObserver({ sign: enrollment.signKeyObservation, issuers: [{ iss, ca: 'system' }] });
 * await observer.start(3_600_000, (iss, e) => console.warn(iss, e));
 */
export function createKeyObserver(o: KeyObserverOptions): KeyObserver {
  const now = o.now ?? Date.now;
  const minIntervalMs = o.minIntervalMs ?? 60_000;
  const byIss = new Map(o.issuers.map((i) => [i.iss, i]));
  if (byIss.size !== o.issuers.length) throw new TypeError('issuers: each iss once');
  for (const i of o.issuers) {
    if (!/^https:\/\//.test(i.iss)) throw new TypeError(`issuers: ${i.iss} is not an https issuer`);
  }
  const fetchKeys = o.fetchKeys ?? fetchIssuerKeys;
  const rounds = new Map<string, { at: number; observations: KeyObservation[] }>();
  const inflight = new Map<string, Promise<KeyObservation[]>>();
  let timer: NodeJS.Timeout | undefined;

  const round = async (issuer: ObservedIssuer): Promise<KeyObservation[]> => {
    const { jwks_uri, keys } = await fetchKeys(issuer, o.fetchOptions ?? {});
    const observed_at = Math.floor(now() / 1000);
    const observations = keys.flatMap((k) => {
      try {
        return [o.sign({ iss: issuer.iss, jwks_uri, kid: k.kid, n: k.n, e: k.e, observed_at })];
      } catch (e) {
        // A key outside the observation format (e.g. a kid with spaces) is not observed.
        if (e instanceof VeilError && e.code === 'ERR_OBSERVATION_MALFORMED') return [];
        throw e;
      }
    });
    rounds.set(issuer.iss, { at: now(), observations });
    return observations;
  };

  const observe = (iss: string): Promise<KeyObservation[]> => {
    const issuer = byIss.get(iss);
    if (!issuer) return Promise.reject(new VeilError('ERR_ISSUER_UNKNOWN', `${iss} is not an issuer this service observes`));
    const last = rounds.get(iss);
    if (last && now() - last.at < minIntervalMs) return Promise.resolve(last.observations);
    const running = inflight.get(iss);
    if (running) return running;
    const p = round(issuer).finally(() => inflight.delete(iss));
    inflight.set(iss, p);
    return p;
  };

  return {
    issuers: [...byIss.keys()],
    observe,
    latest: (iss) => (iss === undefined ? [...rounds.values()].flatMap((r) => r.observations) : (rounds.get(iss)?.observations ?? [])),
    start(everyMs, onError) {
      if (!(Number.isInteger(everyMs) && everyMs >= minIntervalMs)) throw new TypeError('everyMs: an integer ≥ minIntervalMs');
      const report = (iss: string, e: unknown) => {
        try {
          onError(iss, e);
        } catch {
          // a reporter that throws must not take the service down
        }
      };
      const all = () => {
        for (const iss of byIss.keys()) observe(iss).catch((e: unknown) => report(iss, e));
      };
      all();
      timer = setInterval(all, everyMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
