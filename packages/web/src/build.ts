/**
 * Builds the web app into `packages/web/dist` with Vite's JS API. `veil serve` calls
 * `ensureWebBuilt()`, which rebuilds only when the sources the bundle is made from changed since the
 * last build (a sha256 over them is kept in `dist/.veil-sources`). Node-only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST_DIR, WEB_ROOT, webConfig } from './vite-config.ts';

export { DIST_DIR, ISOLATION_HEADERS, CONTENT_SECURITY_POLICY } from './vite-config.ts';

const PACKAGES = fileURLToPath(new URL('../..', import.meta.url));
const CIRCUITS = fileURLToPath(new URL('../../../circuits', import.meta.url));
/**
 * What ends up in the bundle: the app, the workspace packages it imports, and the pinned artifacts
 * (the pinned observer measurement is the enclave build of identity, attest, uid and crypto).
 */
const SOURCES = [
  join(WEB_ROOT, 'index.html'), join(WEB_ROOT, 'src'), join(PACKAGES, 'crypto', 'src'), join(PACKAGES, 'prover', 'src'),
  join(PACKAGES, 'identity', 'src'), join(PACKAGES, 'attest', 'src'), join(PACKAGES, 'uid', 'src'),
  join(CIRCUITS, 'circuits.json'), join(CIRCUITS, 'keys'),
];
const STAMP = '.veil-sources';

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => files(join(path, name)));
}

/** sha256 over the paths and contents of every source file of the bundle. */
export function webSourcesHash(): string {
  const h = createHash('sha256');
  for (const f of SOURCES.flatMap(files)) h.update(relative(PACKAGES, f)).update('\0').update(readFileSync(f)).update('\0');
  h.update(`VEIL_OBSERVER_MEASUREMENTS=${process.env.VEIL_OBSERVER_MEASUREMENTS ?? ''}\0VEIL_OBSERVER_ALLOW_SIMULATION=${process.env.VEIL_OBSERVER_ALLOW_SIMULATION ?? ''}`);
  return h.digest('hex');
}

/**
 * Builds the app; returns the output directory.
 * @example
 * import { buildWeb } from '@veil/web/build';
 * const dir = await buildWeb(); // …/packages/web/dist
 * @throws Error when Vite fails to build.
 */
export async function buildWeb(opts: { outDir?: string; quiet?: boolean } = {}): Promise<string> {
  const { build } = await import('vite');
  const outDir = opts.outDir ?? DIST_DIR;
  const hash = webSourcesHash();
  // Build beside the target and swap it in, so that concurrent `veil serve` processes (tests) never
  // see a half-written dist; Vite's output names are content hashes, so equal sources give equal trees.
  const tmp = `${outDir}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await build({ ...webConfig({ outDir: tmp }), logLevel: opts.quiet === false ? 'info' : 'error' });
    writeFileSync(join(tmp, STAMP), `${hash}\n`);
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(tmp, outDir);
    } catch (e) {
      // Another build of the same sources won the race; its tree is equivalent.
      if (!existsSync(join(outDir, 'index.html'))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return outDir;
}

/** Builds unless `dist` holds a build of the current sources; returns the output directory. */
export async function ensureWebBuilt(opts: { outDir?: string; quiet?: boolean } = {}): Promise<string> {
  const dir = opts.outDir ?? DIST_DIR;
  let stamp = '';
  try {
    stamp = readFileSync(join(dir, STAMP), 'utf8').trim();
  } catch {
    // never built here
  }
  if (existsSync(join(dir, 'index.html')) && stamp === webSourcesHash()) return dir;
  return buildWeb(opts);
}
