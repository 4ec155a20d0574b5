/**
 * `startEnclaveService`: the enclave service for callers that run from source (`veil enclave
 * serve`, the development profile of `veil serve`). For the simulation producer it computes the
 * measurement the way `veil attest measure` does (reproducible bundle hash), so simulation evidence
 * names the exact build a verifier can rebuild. Not part of the bundle (it imports the bundler).
 */
import { resolve } from 'node:path';
import { measureEnclave } from './build-enclave.ts';
import { runEnclaveService, type EnclaveServiceHandle, type EnclaveServiceOptions } from './enclave-service.ts';

let cached: Promise<string> | undefined;

/**
 * The measurement the simulation producer reports for this build (`veil attest measure`), computed
 * once per process: `veil serve` checks its development data against it before starting the service.
 *
 * @example
 * import { simulationMeasurement } from '@veil/identity/start-enclave-service';
 * console.log(await simulationMeasurement());
 * @throws Error when the installed esbuild is not the pinned version.
 */
export function simulationMeasurement(): Promise<string> {
  cached ??= measureEnclave();
  return cached;
}

/**
 * Starts the enclave service; under simulation the measurement defaults to the build hash and the
 * data directory to ./data/enclave (the board server's data dir convention).
 *
 * @example
 * import { startEnclaveService } from '@veil/identity/start-enclave-service';
 * const enclave = await startEnclaveService({ producer: 'simulation', port: 0, dataDir: './data/enclave' });
 * console.log(enclave.url, enclave.measurement); await enclave.close();
 * @throws the codes of runEnclaveService.
 */
export async function startEnclaveService(opts: EnclaveServiceOptions): Promise<EnclaveServiceHandle> {
  if (opts.producer !== 'simulation') return runEnclaveService(opts);
  return runEnclaveService({
    ...opts,
    dataDir: opts.dataDir ?? resolve('data', 'enclave'),
    measurement: opts.measurement ?? (await simulationMeasurement()),
  });
}
