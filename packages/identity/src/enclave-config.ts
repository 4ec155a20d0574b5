/**
 * The enclave service's configuration from its environment, for the bundle entry enclave-main.ts.
 * Under Gramine the manifest fixes these values (so MRENCLAVE covers them) and pins the files they
 * name as trusted files; see gramine/veil-enclave.manifest.template.
 *
 *   VEIL_PROFILE               production (default) | development
 *   VEIL_ENCLAVE_PRODUCER      gramine (default) | simulation (development profile only)
 *   VEIL_ENCLAVE_HOST / _PORT  listen address (127.0.0.1) / TCP port (8090)
 *   VEIL_GRAMINE_ROOT          attestation pseudo-fs (default /dev/attestation)
 *   VEIL_DATA_DIR              data dir: SQLite store, sealed blobs; simulation root (default data/enclave)
 *   VEIL_PROVISION_SOCKET, VEIL_PROVISION_AGENT_KEY   see enclave-service.ts
 * Enrollment (all of the first three, or none of them: then the service only attests and provisions):
 *   VEIL_IDENTITY_PROVIDERS    file: the provider registry, a JSON array of provider entries (parseProviderConfig)
 *   VEIL_UID_GROUP             file: the UID group (`veil uid keygen --group-out`)
 *   VEIL_UID_MEASUREMENTS      comma-separated measurements of the UID nodes to accept
 *   VEIL_UID_COLLATERAL        file: Intel collateral for the nodes' SGX quotes (optional)
 *   VEIL_UID_SIMULATION_ROOT   file: accept SIMULATED UID nodes of this install (development profile only)
 *   VEIL_DATABASE_URL          PostgreSQL for the identity store, or
 *   VEIL_SQLITE_ADDON          file: better-sqlite3's native addon, for SQLite in VEIL_DATA_DIR (a
 *                              bundle cannot locate the addon by itself; under Gramine a trusted file)
 *   VEIL_OBSERVED_ISSUERS      file: issuers whose keys to observe (key-history), a JSON array of
 *                              { iss: "https://…", ca: { pem } | "system" }; needs enrollment
 * The production profile refuses development components: the simulation producer, simulated UID
 * nodes and the dev registry as a provider (named `dev-registry`, pinning a CA of
 * "O=Veil development", or on a loopback address). Errors are VeilError ERR_ENCLAVE_CONFIG.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { parseCollateral, parseSimulationRoot, verifyQuote } from '@veil/attest';
import { VeilError } from '@veil/crypto';
import { parseUidGroup, type TrustPolicy } from '@veil/uid';
import type { EnclaveServiceOptions } from './enclave-service.ts';
import type { ObservedIssuer } from './key-history/fetch-issuer-keys.ts';
import { setupEnrollment } from './enroll/setup-enrollment.ts';
import { beginNotarisedFetch, parseProviderConfig, type ParsedProvider } from './notary/index.ts';

export type EnclaveProfile = 'production' | 'development';

/** What loadEnclaveConfig read, ready for runEnclaveService (plus the simulation measurement). */
export interface EnclaveConfig {
  profile: EnclaveProfile;
  options: EnclaveServiceOptions;
  /** Present when enrollment is configured: what it was configured with. */
  enrollment?: { providers: string[]; uidNodes: string[]; threshold: number; database: 'sqlite' | 'postgresql' };
}

const DEV_CA_ORGANIZATION = /(^|\n|, )O=Veil development(\n|,|$)/;

const fail = (message: string): never => {
  throw new VeilError('ERR_ENCLAVE_CONFIG', message);
};

async function readConfigFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new VeilError('ERR_ENCLAVE_CONFIG', `${what}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

/** Why a provider entry is a development component, or undefined. */
export function devProviderReason(p: ParsedProvider): string | undefined {
  if (p.config.name === 'dev-registry') return 'it is named "dev-registry"';
  for (const pem of p.ca ?? []) {
    if (DEV_CA_ORGANIZATION.test(new X509Certificate(pem).subject)) return 'it pins a CA of "O=Veil development"';
  }
  if (isLoopback(p.host)) return `its base URL is on a loopback address (${p.host})`;
  return undefined;
}

/** The VEIL_OBSERVED_ISSUERS file: https issuers, each once, with system roots or pinned CA certificates. */
async function observedIssuers(path: string): Promise<ObservedIssuer[]> {
  let list: unknown;
  try {
    list = JSON.parse(await readConfigFile(path, 'VEIL_OBSERVED_ISSUERS'));
  } catch (e) {
    if (e instanceof VeilError) throw e;
    fail('VEIL_OBSERVED_ISSUERS: not JSON');
  }
  if (!Array.isArray(list) || list.length === 0 || list.length > 64) fail('VEIL_OBSERVED_ISSUERS: a JSON array of 1..64 { iss, ca } entries expected');
  const issuers = (list as unknown[]).map((x, i) => {
    const e = x as { iss?: unknown; ca?: unknown } | null;
    if (!e || typeof e !== 'object' || Object.keys(e).some((k) => k !== 'iss' && k !== 'ca')) return fail(`VEIL_OBSERVED_ISSUERS[${i}]: { iss, ca } expected`);
    if (typeof e.iss !== 'string' || !/^https:\/\/[\x21-\x7e]+$/.test(e.iss) || e.iss.length > 512) fail(`VEIL_OBSERVED_ISSUERS[${i}].iss: an https issuer expected`);
    if (e.ca === 'system') return { iss: e.iss as string, ca: 'system' as const };
    const pem = (e.ca as { pem?: unknown } | null)?.pem;
    const pems = typeof pem === 'string' ? pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [] : [];
    if (pems.length === 0) fail(`VEIL_OBSERVED_ISSUERS[${i}].ca: "system" or { pem } with CA certificates expected`);
    for (const p of pems) {
      let cert: X509Certificate | undefined;
      try {
        cert = new X509Certificate(p);
      } catch {
        fail(`VEIL_OBSERVED_ISSUERS[${i}].ca: a certificate does not parse`);
      }
      if (!cert!.ca) fail(`VEIL_OBSERVED_ISSUERS[${i}].ca: a certificate is not a CA`);
    }
    return { iss: e.iss as string, ca: { pem: pem as string } };
  });
  if (new Set(issuers.map((i) => i.iss)).size !== issuers.length) fail('VEIL_OBSERVED_ISSUERS: each iss once');
  return issuers;
}

/**
 * Reads and checks the enclave service's configuration.
 *
 * @example
 * import { loadEnclaveConfig } from '@veil/identity/enclave-config';
 * const { options } = await loadEnclaveConfig(process.env);
 * await runEnclaveService({ ...options, measurement });
 * @throws VeilError ERR_ENCLAVE_CONFIG (a bad value, an unreadable file, a development component in
 *   production); ERR_PROVIDER_CONFIG, ERR_UID_GROUP_INVALID for bad provider or group files.
 */
export async function loadEnclaveConfig(env: Readonly<Record<string, string | undefined>>): Promise<EnclaveConfig> {
  const profile = (env.VEIL_PROFILE ?? 'production') as EnclaveProfile;
  if (profile !== 'production' && profile !== 'development') fail('VEIL_PROFILE must be production or development');
  const production = profile === 'production';
  const producer = env.VEIL_ENCLAVE_PRODUCER ?? 'gramine';
  if (producer !== 'gramine' && producer !== 'simulation') fail('VEIL_ENCLAVE_PRODUCER must be gramine or simulation');
  if (production && producer === 'simulation') fail('the production profile refuses simulated attestation (VEIL_ENCLAVE_PRODUCER=simulation): use gramine, or VEIL_PROFILE=development');
  const port = Number(env.VEIL_ENCLAVE_PORT ?? 8090);
  if (!/^\d{1,5}$/.test(env.VEIL_ENCLAVE_PORT ?? '8090') || port > 65535) fail('VEIL_ENCLAVE_PORT must be a port number');
  const dataDir = env.VEIL_DATA_DIR ?? 'data/enclave';
  const options: EnclaveServiceOptions = {
    producer: producer as 'gramine' | 'simulation',
    port,
    host: env.VEIL_ENCLAVE_HOST ?? '127.0.0.1',
    dataDir,
    ...(env.VEIL_GRAMINE_ROOT ? { gramineRoot: env.VEIL_GRAMINE_ROOT } : {}),
    ...(env.VEIL_PROVISION_SOCKET ? { provisionSocket: env.VEIL_PROVISION_SOCKET } : {}),
    ...(env.VEIL_PROVISION_AGENT_KEY ? { provisionAgentKey: env.VEIL_PROVISION_AGENT_KEY } : {}),
  };

  const set = ['VEIL_IDENTITY_PROVIDERS', 'VEIL_UID_GROUP', 'VEIL_UID_MEASUREMENTS'].filter((k) => env[k]);
  const extras = ['VEIL_UID_COLLATERAL', 'VEIL_UID_SIMULATION_ROOT', 'VEIL_DATABASE_URL', 'VEIL_SQLITE_ADDON', 'VEIL_OBSERVED_ISSUERS'].filter((k) => env[k]);
  if (set.length === 0) {
    if (extras.length > 0) fail(`${extras.join(', ')} configure enrollment, which needs VEIL_IDENTITY_PROVIDERS, VEIL_UID_GROUP and VEIL_UID_MEASUREMENTS`);
    return { profile, options };
  }
  if (set.length < 3) fail(`enrollment needs VEIL_IDENTITY_PROVIDERS, VEIL_UID_GROUP and VEIL_UID_MEASUREMENTS together (set: ${set.join(', ')})`);

  let registry: unknown;
  try {
    registry = JSON.parse(await readConfigFile(env.VEIL_IDENTITY_PROVIDERS!, 'VEIL_IDENTITY_PROVIDERS'));
  } catch (e) {
    if (e instanceof VeilError) throw e;
    fail('VEIL_IDENTITY_PROVIDERS: not JSON');
  }
  if (!Array.isArray(registry) || registry.length === 0 || registry.length > 64) fail('VEIL_IDENTITY_PROVIDERS: a JSON array of 1..64 provider entries expected');
  const providers = (registry as unknown[]).map((p) => parseProviderConfig(p));
  if (new Set(providers.map((p) => p.config.name)).size !== providers.length) fail('VEIL_IDENTITY_PROVIDERS: provider names must be distinct');
  if (production) {
    for (const p of providers) {
      const why = devProviderReason(p);
      if (why) fail(`the production profile refuses the development provider "${p.config.name}": ${why}`);
    }
  }

  const group = parseUidGroup(await readConfigFile(env.VEIL_UID_GROUP!, 'VEIL_UID_GROUP'));
  const measurements = env.VEIL_UID_MEASUREMENTS!.split(',').map((m) => m.trim());
  if (measurements.some((m) => !/^[0-9a-f]{64}$/.test(m))) fail('VEIL_UID_MEASUREMENTS: comma-separated 32-byte lowercase hex measurements expected');
  const collateral = env.VEIL_UID_COLLATERAL ? parseCollateral(await readConfigFile(env.VEIL_UID_COLLATERAL, 'VEIL_UID_COLLATERAL')) : undefined;
  let simulationRoot: Uint8Array | undefined;
  if (env.VEIL_UID_SIMULATION_ROOT) {
    if (production) fail('the production profile refuses simulated UID nodes (VEIL_UID_SIMULATION_ROOT)');
    simulationRoot = parseSimulationRoot(await readConfigFile(env.VEIL_UID_SIMULATION_ROOT, 'VEIL_UID_SIMULATION_ROOT'));
  }
  if (env.VEIL_DATABASE_URL && env.VEIL_SQLITE_ADDON) fail('VEIL_DATABASE_URL and VEIL_SQLITE_ADDON exclude each other (PostgreSQL or SQLite)');
  if (!env.VEIL_DATABASE_URL && !env.VEIL_SQLITE_ADDON) fail('enrollment needs a store: VEIL_DATABASE_URL (PostgreSQL) or VEIL_SQLITE_ADDON (SQLite in VEIL_DATA_DIR)');
  const trust: TrustPolicy = {
    measurements,
    verifySgxQuote: (quote, policy) => verifyQuote(quote, { ...policy, at: new Date(), expectTee: 'sgx', ...(collateral ? { collateral } : {}) }),
    ...(simulationRoot ? { allowSimulation: true, simulationRoot } : {}),
  };
  options.enrollment = setupEnrollment({
    dataDir,
    ...(env.VEIL_DATABASE_URL ? { databaseUrl: env.VEIL_DATABASE_URL } : { sqliteAddon: env.VEIL_SQLITE_ADDON! }),
    providers: providers.map((p) => p.config),
    beginFetch: (p) => beginNotarisedFetch(p as Parameters<typeof beginNotarisedFetch>[0]),
    uid: { group, trust },
  });
  if (env.VEIL_OBSERVED_ISSUERS) options.keyObservations = { issuers: await observedIssuers(env.VEIL_OBSERVED_ISSUERS) };
  return {
    profile,
    options,
    enrollment: {
      providers: providers.map((p) => p.config.name),
      uidNodes: group.nodes.map((n) => n.name),
      threshold: group.threshold,
      database: env.VEIL_DATABASE_URL ? 'postgresql' : 'sqlite',
    },
  };
}
