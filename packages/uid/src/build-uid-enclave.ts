/**
 * Reproducible build of the UID node: one deterministic ESM bundle of uid-main.ts, built by
 * @veil/attest/build-bundle (pinned esbuild; see there for what makes it deterministic).
 *
 * Measurement (what the simulation producer of the bundle reports): SHA-256 of the bundle bytes
 * (dist/uid-enclave.mjs), lowercase hex. The Gramine manifest (gramine/veil-uid.manifest.template)
 * pins the same hash in its trusted files, so on SGX the MRENCLAVE covers it.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle, writeBundle, type BundleSpec } from '@veil/attest/build-bundle';

/** The package directory; the build always runs from here. */
export const UID_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Default output path of `npm run build:uid-enclave`. */
export const DEFAULT_UID_BUNDLE_PATH = join(UID_DIR, 'dist', 'uid-enclave.mjs');

const SPEC: BundleSpec = { packageDir: UID_DIR, entry: 'src/uid-main.ts', outfile: 'dist/uid-enclave.mjs' };

/**
 * Bundles the UID node in memory and returns the bytes.
 *
 * @example
 * import { buildUidBundle } from '@veil/uid/build-uid-enclave';
 * const bytes = await buildUidBundle();
 * @throws Error when the installed esbuild is not the pinned version.
 */
export function buildUidBundle(): Promise<Uint8Array> {
  return buildBundle(SPEC);
}

/**
 * Builds and writes the bundle.
 *
 * @example
 * import { writeUidBundle } from '@veil/uid/build-uid-enclave';
 * const { path, measurement } = await writeUidBundle();
 */
export function writeUidBundle(path: string = DEFAULT_UID_BUNDLE_PATH): Promise<{ path: string; measurement: string; size: number }> {
  return writeBundle(SPEC, path);
}
