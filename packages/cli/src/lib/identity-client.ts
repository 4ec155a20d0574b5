// Shared by the `veil identity` enrollment commands: finds the identity service through the
// board server's /api/config, builds the trust options (expected measurement, simulation only when
// allowed — loudly), reads user key files, and connects over the attested HPKE channel.
import { readFileSync } from 'node:fs';
import { verifyQuote } from '@veil/attest';
import { VeilError } from '@veil/crypto';
import type { SgxQuoteVerifier } from '@veil/identity';
import { connectIdentityService, publicKeyOf, type IdentityConnection, type UserSecretKey } from '@veil/identity/enroll';
import { api, serverUrl } from './board-client.ts';
import { warnSimulation } from './enclave-verify.ts';
import { UsageError } from './run.ts';

export interface IdentityTrustFlags {
  expectMeasurement?: string;
  allowSimulation?: boolean;
}

export const verifySgxQuote: SgxQuoteVerifier = (quote, policy) => verifyQuote(quote, { ...policy, at: new Date(), expectTee: 'sgx' });

/** The expected measurements: the flag, or else the enclave build these very sources produce (`veil attest measure`). */
export async function expectedMeasurements(f: IdentityTrustFlags): Promise<string[]> {
  if (f.expectMeasurement !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(f.expectMeasurement)) throw new UsageError('--expect-measurement: expected 32 bytes of hex');
    return [f.expectMeasurement.toLowerCase()];
  }
  const { measureEnclave } = await import('@veil/identity/build-enclave');
  return [await measureEnclave()];
}

/** Reads a key file: `{ secretKey, publicKey }` as `veil keygen` writes it (Ed25519), or with `"alg": "secp256k1"`. */
export function readUserKey(path: string, flag = '--key'): UserSecretKey & { path: string } {
  let k: Record<string, unknown>;
  try {
    k = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${flag} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const alg = k?.alg ?? 'ed25519';
  if ((alg !== 'ed25519' && alg !== 'secp256k1') || typeof k.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(k.secretKey)) {
    throw new UsageError(`${flag} ${path}: expected {"secretKey": hex, "publicKey": hex} as printed by veil keygen (optionally "alg": "secp256k1")`);
  }
  if (typeof k.publicKey === 'string' && k.publicKey !== publicKeyOf(alg, k.secretKey).publicKey) {
    throw new UsageError(`${flag} ${path}: publicKey does not belong to secretKey`);
  }
  return { alg, secretKey: k.secretKey, path };
}

/** Asks the board server where the identity service is, then verifies it and opens the channel. */
export async function connectFromBoard(server: string, f: IdentityTrustFlags): Promise<IdentityConnection> {
  const base = serverUrl(server);
  const measurements = await expectedMeasurements(f);
  const config = await api<{ enclave?: { url?: unknown } | null }>(base, 'GET', '/api/config');
  const url = config.enclave?.url;
  if (typeof url !== 'string') throw new VeilError('ERR_IDENTITY_UNAVAILABLE', `${base} advertises no identity service`);
  if (f.allowSimulation) warnSimulation();
  return connectIdentityService({ url, measurements, allowSimulation: f.allowSimulation === true, verifySgxQuote });
}
