// Notarised observations of issuer keys in the board's key registry. An attested identity service
// (packages/identity, key-history) reads issuers' JWKS over TLS and signs one observation per key;
// the board collects them from the service it is configured with (`keyObservations.from`) after
// each refresh of an issuer's keys (on its schedule, and on an unknown kid), and serves them with
// the keys (/api/keys, /api/messages/:id), so verifiers can trust a key the issuer has rotated away.
// The board never reads observations from clients. Before storing one it checks what it can
// without judging TEE evidence — shape, the Ed25519 signature under the attached signer key, the
// jwks_uri rule, that it is of the very key the registry holds for (iss, kid), and that it is not
// from the future — and refuses with a code otherwise. Judging the evidence (which build signed)
// is the verifier's job: the board is not trusted, so its word on a measurement would add nothing.
import { VeilError } from '@veil/crypto';
import {
  aJwksUriForIssuer, assertObservationOf, parseKeyObservation, verifyKeyObservationSignature, type KeyObservation,
} from '@veil/crypto/key-observation';
import type { Storage } from '../storage/types.ts';
import { findNul } from './validators.ts';

/** Observations more than this far in the future (the observer's clock ahead of ours) are refused. */
export const MAX_CLOCK_SKEW_S = 300;

/**
 * Checks an untrusted observation against the registry and returns it typed.
 * @throws VeilError ERR_OBSERVATION_MALFORMED, ERR_OBSERVATION_UNSIGNED, ERR_OBSERVATION_SIGNATURE_INVALID,
 *   ERR_OBSERVATION_JWKS_HOST, ERR_ISSUER_KEY_UNKNOWN (no registry key for iss/kid),
 *   ERR_OBSERVATION_MISMATCH (another modulus or exponent), ERR_OBSERVATION_TIME.
 */
export async function checkKeyObservation(storage: Storage, input: unknown, nowMs: number): Promise<KeyObservation> {
  const obs = parseKeyObservation(input);
  // After the shape check (flat, bounded): the evidence and simulation root are not pattern-checked.
  if (findNul(obs) !== null) throw new VeilError('ERR_OBSERVATION_MALFORMED', 'U+0000 in an observation');
  verifyKeyObservationSignature(obs);
  aJwksUriForIssuer(obs.iss, obs.jwks_uri);
  const key = await storage.getIssuerKey(obs.iss, obs.kid);
  if (!key) throw new VeilError('ERR_ISSUER_KEY_UNKNOWN', `the registry holds no key ${obs.kid} of ${obs.iss}`);
  assertObservationOf(obs, { iss: key.iss, kid: key.kid, n: key.jwk.n, e: key.jwk.e });
  if (obs.observed_at > nowMs / 1000 + MAX_CLOCK_SKEW_S) throw new VeilError('ERR_OBSERVATION_TIME', 'the observation is dated in the future');
  return obs;
}

export interface CollectResult {
  stored: number;
  refused: Array<{ kid?: string; code: string }>;
}

/**
 * Asks the identity service at `from` to observe `iss` now (it reads each issuer at most once a
 * minute and answers with its last round in between), checks every observation and stores it.
 * @throws VeilError ERR_OBSERVER_UNREACHABLE when the service cannot be asked or answers garbage.
 */
export async function collectKeyObservations(o: { storage: Storage; from: string; iss: string; now: () => number; fetch?: typeof globalThis.fetch }): Promise<CollectResult> {
  let body: { observations?: unknown };
  try {
    const res = await (o.fetch ?? fetch)(`${o.from.replace(/\/$/, '')}/identity/v1/key-observations`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ iss: o.iss }),
      redirect: 'error', signal: AbortSignal.timeout(30_000),
    });
    body = (await res.json()) as { observations?: unknown };
    if (!res.ok) throw new Error(`HTTP ${res.status} ${JSON.stringify((body as { error?: unknown }).error ?? null).slice(0, 200)}`);
  } catch (cause) {
    throw new VeilError('ERR_OBSERVER_UNREACHABLE', `could not get observations of ${o.iss} from ${o.from}`, { cause });
  }
  if (!Array.isArray(body.observations) || body.observations.length > 256) throw new VeilError('ERR_OBSERVER_UNREACHABLE', `${o.from} answered no observations array`);
  const result: CollectResult = { stored: 0, refused: [] };
  for (const input of body.observations) {
    try {
      const obs = await checkKeyObservation(o.storage, input, o.now());
      if (obs.iss !== o.iss) throw new VeilError('ERR_OBSERVATION_MISMATCH', 'an observation of another issuer');
      if (await o.storage.recordKeyObservation(obs)) result.stored++;
    } catch (e) {
      if (!(e instanceof VeilError)) throw e;
      const kid = (input as { kid?: unknown } | null)?.kid;
      result.refused.push({ ...(typeof kid === 'string' ? { kid: kid.slice(0, 256) } : {}), code: e.code });
    }
  }
  return result;
}
