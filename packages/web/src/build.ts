/**
 * Builds the web app into `packages/web/dist` with Vite's JS API. `veil serve` calls this on first
 * run when `dist` is missing. Node-only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR, webConfig } from './vite-config.ts';

export { DIST_DIR, ISOLATION_HEADERS } from './vite-config.ts';

/**
 * Builds the app; returns the output directory.
 * @example
 * import { buildWeb } from '@veil/web/build';
 * const dir = await buildWeb(); // …/packages/web/dist
 * @throws Error when Vite fails to build.
 */
export async function buildWeb(opts: { outDir?: string; quiet?: boolean } = {}): Promise<string> {
  const { build } = await import('vite');
  const config = webConfig({ outDir: opts.outDir });
  await build({ ...config, logLevel: opts.quiet === false ? 'info' : 'error' });
  return opts.outDir ?? DIST_DIR;
}

/** Builds only when `dist/index.html` is missing; returns the output directory. */
export async function ensureWebBuilt(opts: { outDir?: string; quiet?: boolean } = {}): Promise<string> {
  const dir = opts.outDir ?? DIST_DIR;
  if (existsSync(join(dir, 'index.html'))) return dir;
  return buildWeb(opts);
}
