/**
 * Reproducible build of a service that runs in an enclave: one deterministic ESM bundle of an entry
 * file. Shared by the identity enclave service (@veil/identity/build-enclave) and the UID node
 * (@veil/uid/build-uid-enclave).
 *
 * Measurement (what the simulation producer reports, and what a Gramine manifest pins as the
 * bundle's trusted-file hash): SHA-256 of the bundle bytes, lowercase hex.
 *
 * Determinism: esbuild is pinned exactly (0.28.2) and run with a fixed working directory (the
 * package being bundled, so paths in the output are relative and independent of the checkout
 * location and of the caller's cwd), no source maps, no metafile, no minification (auditable
 * output), fixed legal-comment placement, fixed target and define values. esbuild reads no
 * timestamps and emits none; inputs are the sources and the lockfile-pinned node_modules.
 */
import { build, version as esbuildVersion } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The pinned bundler version; a different one would change the bytes. */
export const PINNED_ESBUILD = '0.28.2';

/** What to bundle: `entry` and `outfile` are relative to `packageDir`. */
export interface BundleSpec {
  /** Absolute directory of the package; the build always runs from here. */
  packageDir: string;
  entry: string;
  /** The output name esbuild is told (only its name matters for the bytes), e.g. dist/enclave.mjs. */
  outfile: string;
}

/**
 * Bundles in memory and returns the bytes.
 *
 * @example
 * import { buildBundle } from '@veil/attest/build-bundle';
 * const bytes = await buildBundle({ packageDir, entry: 'src/enclave-main.ts', outfile: 'dist/enclave.mjs' });
 * @throws Error when the installed esbuild is not the pinned version.
 */
export async function buildBundle(spec: BundleSpec): Promise<Uint8Array> {
  if (esbuildVersion !== PINNED_ESBUILD) throw new Error(`esbuild ${esbuildVersion} is installed; the reproducible build needs ${PINNED_ESBUILD}`);
  const result = await build({
    absWorkingDir: spec.packageDir,
    entryPoints: [spec.entry],
    outfile: spec.outfile,
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

/** SHA-256 of bundle bytes, lowercase hex: the measurement. */
export function measureBundle(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Builds and writes the bundle to `path`.
 *
 * @example
 * import { writeBundle } from '@veil/attest/build-bundle';
 * const { path, measurement } = await writeBundle(spec, 'dist/enclave.mjs');
 */
export async function writeBundle(spec: BundleSpec, path: string): Promise<{ path: string; measurement: string; size: number }> {
  const bytes = await buildBundle(spec);
  const out = resolve(path);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, bytes);
  return { path: out, measurement: measureBundle(bytes), size: bytes.length };
}
