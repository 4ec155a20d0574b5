/**
 * Reproducible build of the enclave service: one deterministic ESM bundle of enclave-main.ts,
 * built by @veil/attest/build-bundle (pinned esbuild; see there for what makes it deterministic).
 *
 * Measurement (what `veil attest measure` prints and the simulation producer reports):
 *   SHA-256 of the bundle bytes (dist/enclave.mjs), lowercase hex.
 * The Gramine manifest pins the same hash in its trusted files, so on SGX the MRENCLAVE that
 * gramine-sgx-sign computes covers it (see the package README).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle, measureBundle, writeBundle, type BundleSpec } from '@veil/attest/build-bundle';

export { measureBundle, PINNED_ESBUILD } from '@veil/attest/build-bundle';

/** The package directory; the build always runs from here. */
export const IDENTITY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Default output path of `npm run build:enclave`. */
export const DEFAULT_BUNDLE_PATH = join(IDENTITY_DIR, 'dist', 'enclave.mjs');

const SPEC: BundleSpec = { packageDir: IDENTITY_DIR, entry: 'src/enclave-main.ts', outfile: 'dist/enclave.mjs' };

/**
 * Bundles the enclave service in memory and returns the bytes.
 *
 * @example
 * import { buildEnclaveBundle } from '@veil/identity/build-enclave';
 * const bytes = await buildEnclaveBundle();
 * @throws Error when the installed esbuild is not the pinned version.
 */
export function buildEnclaveBundle(): Promise<Uint8Array> {
  return buildBundle(SPEC);
}

/**
 * Builds in memory and returns the measurement (what `veil attest measure` prints).
 *
 * @example
 * import { measureEnclave } from '@veil/identity/build-enclave';
 * console.log(await measureEnclave());
 */
export async function measureEnclave(): Promise<string> {
  return measureBundle(await buildEnclaveBundle());
}

/**
 * Builds and writes the bundle.
 *
 * @example
 * import { writeEnclaveBundle } from '@veil/identity/build-enclave';
 * const { path, measurement } = await writeEnclaveBundle();
 */
export function writeEnclaveBundle(path: string = DEFAULT_BUNDLE_PATH): Promise<{ path: string; measurement: string; size: number }> {
  return writeBundle(SPEC, path);
}
