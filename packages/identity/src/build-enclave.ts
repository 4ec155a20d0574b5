/**
 * Reproducible build of the enclave service: one deterministic ESM bundle of enclave-main.ts.
 *
 * Measurement (what `veil attest measure` prints and the simulation producer reports):
 *   SHA-256 of the bundle bytes (dist/enclave.mjs), lowercase hex.
 * The Gramine manifest pins the same hash in its trusted files, so on SGX the MRENCLAVE that
 * gramine-sgx-sign computes covers it (see the package README).
 *
 * Determinism: esbuild is pinned exactly (0.28.2) and run with a fixed working directory (this
 * package, so paths in the output are relative and independent of the checkout location and of
 * the caller's cwd), no source maps, no metafile, no minification (auditable output), fixed
 * legal-comment placement, fixed target and define values. esbuild reads no timestamps and
 * emits none; inputs are the sources and the lockfile-pinned node_modules.
 */
import { build, version as esbuildVersion } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package directory; the build always runs from here. */
export const IDENTITY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Default output path of `npm run build:enclave`. */
export const DEFAULT_BUNDLE_PATH = join(IDENTITY_DIR, 'dist', 'enclave.mjs');
/** The pinned bundler version; a different one would change the bytes. */
export const PINNED_ESBUILD = '0.28.2';

/**
 * Bundles the enclave service in memory and returns the bytes.
 *
 * @example
 * import { buildEnclaveBundle } from '@veil/identity/build-enclave';
 * const bytes = await buildEnclaveBundle();
 * @throws Error when the installed esbuild is not the pinned version.
 */
export async function buildEnclaveBundle(): Promise<Uint8Array> {
  if (esbuildVersion !== PINNED_ESBUILD) throw new Error(`esbuild ${esbuildVersion} is installed; the reproducible build needs ${PINNED_ESBUILD}`);
  const result = await build({
    absWorkingDir: IDENTITY_DIR,
    entryPoints: ['src/enclave-main.ts'],
    outfile: 'dist/enclave.mjs',
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['node'],
    sourcemap: false,
    metafile: false,
    minify: false,
    treeShaking: true,
    legalComments: 'eof',
    charset: 'utf8',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    // CommonJS dependencies call require() for Node builtins; give the ESM bundle a real one.
    banner: { js: "import { createRequire as __veilCreateRequire } from 'node:module';\nconst require = __veilCreateRequire(import.meta.url);" },
  });
  if (result.outputFiles.length !== 1) throw new Error(`expected one output file, got ${result.outputFiles.length}`);
  return result.outputFiles[0]!.contents;
}

/** SHA-256 of bundle bytes, lowercase hex: the enclave measurement. */
export function measureBundle(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
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
export async function writeEnclaveBundle(path: string = DEFAULT_BUNDLE_PATH): Promise<{ path: string; measurement: string; size: number }> {
  const bytes = await buildEnclaveBundle();
  const out = resolve(path);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, bytes);
  return { path: out, measurement: measureBundle(bytes), size: bytes.length };
}
