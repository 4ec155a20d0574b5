/**
 * The UID node's configuration from its environment, for the bundle entry uid-main.ts. Under
 * Gramine the manifest fixes these values (so MRENCLAVE covers them) and pins the files they name
 * as trusted files; see gramine/veil-uid.manifest.template.
 *
 *   VEIL_PROFILE                  production (default) | development
 *   VEIL_UID_PRODUCER             gramine (default) | simulation (development profile only)
 *   VEIL_UID_HOST / VEIL_UID_PORT listen address (127.0.0.1) / TCP port (8091)
 *   VEIL_GRAMINE_ROOT             attestation pseudo-fs (default /dev/attestation)
 *   VEIL_DATA_DIR                 sealed share; simulation install (default data/uid)
 *   VEIL_UID_SHARE                file: the share from `veil uid keygen` or its sealed copy
 *                                 (optional: without it, single-key mode)
 *   VEIL_UID_NODE                 the node's name in single-key mode (default uid)
 *   VEIL_UID_CALLER_MEASUREMENTS  comma-separated measurements of the identity services that may
 *                                 ask for evaluations (required)
 *   VEIL_UID_COLLATERAL           file: Intel collateral for the callers' SGX quotes (optional)
 *   VEIL_UID_CALLER_SIMULATION_ROOT  file: also accept SIMULATED callers of this install (development profile only)
 * The production profile refuses development components: the simulation producer and simulated
 * callers. Errors are VeilError ERR_UID_CONFIG.
 */
import { readFile } from 'node:fs/promises';
import { parseCollateral, parseSimulationRoot, verifyQuote } from '@veil/attest';
import { VeilError } from '@veil/crypto';
import type { UidServiceOptions } from './uid-service.ts';
import type { TrustPolicy } from './verify-evidence.ts';

export type UidProfile = 'production' | 'development';

/** What loadUidConfig read, ready for runUidService. */
export interface UidConfig {
  profile: UidProfile;
  options: UidServiceOptions;
}

function fail(message: string): never {
  throw new VeilError('ERR_UID_CONFIG', message);
}

async function readConfigFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new VeilError('ERR_UID_CONFIG', `${what}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }
}

/**
 * Reads and checks the UID node's configuration.
 *
 * @example
 * import { loadUidConfig } from '@veil/uid/uid-config';
 * const { options } = await loadUidConfig(process.env);
 * @throws VeilError ERR_UID_CONFIG for a missing, malformed or (in production) development-only setting.
 */
export async function loadUidConfig(env: Record<string, string | undefined>): Promise<UidConfig> {
  const profile = env.VEIL_PROFILE ?? 'production';
  if (profile !== 'production' && profile !== 'development') fail(`VEIL_PROFILE: expected production or development, got "${profile}"`);
  const production = profile === 'production';
  const producer = env.VEIL_UID_PRODUCER ?? 'gramine';
  if (producer !== 'gramine' && producer !== 'simulation') fail(`VEIL_UID_PRODUCER: expected gramine or simulation, got "${producer}"`);
  if (producer === 'simulation' && production) fail('the production profile refuses the simulation producer (VEIL_UID_PRODUCER=simulation)');

  const portText = env.VEIL_UID_PORT ?? '8091';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) fail(`VEIL_UID_PORT: expected 0..65535, got "${portText}"`);

  const measurements = (env.VEIL_UID_CALLER_MEASUREMENTS ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (measurements.length === 0) fail('VEIL_UID_CALLER_MEASUREMENTS is required: a UID node evaluates only for identity services it can verify');
  for (const m of measurements) if (!/^[0-9a-f]{64}$/.test(m)) fail(`VEIL_UID_CALLER_MEASUREMENTS: expected 32 bytes of lowercase hex, got "${m}"`);

  const node = env.VEIL_UID_NODE ?? 'uid';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(node)) fail(`VEIL_UID_NODE: expected 1-64 of A-Za-z0-9_.-, got "${node}"`);

  const collateral = env.VEIL_UID_COLLATERAL ? parseCollateral(await readConfigFile(env.VEIL_UID_COLLATERAL, 'VEIL_UID_COLLATERAL')) : undefined;
  let simulationRoot: Uint8Array | undefined;
  if (env.VEIL_UID_CALLER_SIMULATION_ROOT) {
    if (production) fail('the production profile refuses simulated callers (VEIL_UID_CALLER_SIMULATION_ROOT)');
    simulationRoot = parseSimulationRoot(await readConfigFile(env.VEIL_UID_CALLER_SIMULATION_ROOT, 'VEIL_UID_CALLER_SIMULATION_ROOT'));
  }
  const callers: TrustPolicy = {
    measurements,
    verifySgxQuote: (quote, policy) => verifyQuote(quote, { ...policy, at: new Date(), expectTee: 'sgx', ...(collateral ? { collateral } : {}) }),
    ...(simulationRoot ? { allowSimulation: true, simulationRoot } : {}),
  };
  return {
    profile,
    options: {
      producer,
      dataDir: env.VEIL_DATA_DIR || 'data/uid',
      gramineRoot: env.VEIL_GRAMINE_ROOT || '/dev/attestation',
      ...(env.VEIL_UID_SHARE ? { sharePath: env.VEIL_UID_SHARE } : {}),
      node,
      callers,
      port,
      host: env.VEIL_UID_HOST || '127.0.0.1',
    },
  };
}
