/**
 * `startEnclaveService`: the enclave service for callers that run from source (`veil enclave
 * serve`, the development profile of `veil serve`). For the simulation producer it computes the
 * measurement the way `veil attest measure` does (reproducible bundle hash), so simulation evidence
 * names the exact build a verifier can rebuild. Not part of the bundle (it imports the bundler).
 */
import { measureEnclave } from './build-enclave.ts';
import { runEnclaveService, type EnclaveServiceHandle, type EnclaveServiceOptions } from './enclave-service.ts';

let cached: Promise<string> | undefined;

/**
 * Starts the enclave service; under simulation the measurement defaults to the build hash.
 *
 * @example
 * import { startEnclaveService } from '@veil/identity/start-enclave-service';
 * const enclave = await startEnclaveService({ producer: 'simulation', port: 0, dataDir: './data/enclave' });
 * console.log(enclave.url, enclave.measurement); await enclave.close();
 * @throws the codes of runEnclaveService.
 */
export async function startEnclaveService(opts: EnclaveServiceOptions): Promise<EnclaveServiceHandle> {
  if (opts.producer === 'simulation' && !opts.measurement) {
    cached ??= measureEnclave();
    return runEnclaveService({ ...opts, measurement: await cached });
  }
  return runEnclaveService(opts);
}
