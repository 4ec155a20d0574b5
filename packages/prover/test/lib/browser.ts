// Runs the prover's browser build in headless Chromium (Debian's, via playwright-core): the entry is
// bundled by esbuild for `platform: 'browser'` (so the `#platform` import and every dependency take
// their browser variants, and any Node built-in fails the bundle); bb.js is served as its own
// browser build (it loads its workers and WASM relative to itself) through an import map.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

// bb.js's exports map hides package.json; its Node entry is <pkg>/dest/node/index.js.
const require = createRequire(import.meta.url);
const BB_BROWSER = join(dirname(require.resolve('@aztec/bb.js')), '..', '..', 'dest', 'browser');
// noir_js's WASM, served at /noir/* (the bundle moves the modules away from their .wasm files).
const NOIR_WASM: Record<string, string> = {
  '/noir/acvm_js_bg.wasm': join(dirname(require.resolve('@noir-lang/acvm_js')), '..', 'web', 'acvm_js_bg.wasm'),
  '/noir/noirc_abi_wasm_bg.wasm': join(dirname(require.resolve('@noir-lang/noirc_abi')), '..', 'web', 'noirc_abi_wasm_bg.wasm'),
};

/** A response of the page's own server for a path it does not serve itself. */
export type Route = (pathname: string) => Promise<{ status: number; type: string; body: Uint8Array } | undefined>;

/**
 * Bundles `entry` (JS source that sets `globalThis.run`) and returns `run(arg)` evaluated in Chromium.
 * `route` answers other paths of the page's origin (e.g. a proxy to a Veil server's /artifacts/).
 */
export async function runInChromium<T>(entry: string, arg: unknown, route?: Route): Promise<T> {
  const out = await build({
    stdin: { contents: entry, resolveDir: dirname(new URL(import.meta.url).pathname), loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    external: ['@aztec/bb.js'],
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  const html = `<!doctype html><title>prover</title>
<script type="importmap">{ "imports": { "@aztec/bb.js": "/bb/index.js" } }</script>
<script type="module" src="/entry.js"></script>`;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // Cross-origin isolation: SharedArrayBuffer, hence bb.js threads, as the web app has them.
    const send = (type: string, body: string | Buffer) =>
      res
        .writeHead(200, { 'content-type': type, 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' })
        .end(body);
    if (url.pathname === '/') return send('text/html', html);
    const wasm = NOIR_WASM[url.pathname];
    if (wasm) return send('application/wasm', readFileSync(wasm));
    if (url.pathname === '/entry.js') return send('text/javascript', code);
    if (url.pathname.startsWith('/bb/')) {
      const file = normalize(join(BB_BROWSER, url.pathname.slice(4)));
      if (file.startsWith(BB_BROWSER)) {
        try {
          return send('text/javascript', readFileSync(file));
        } catch {
          // fall through to 404
        }
      }
    }
    if (!route) return res.writeHead(404).end();
    route(url.pathname).then(
      (r) => (r ? res.writeHead(r.status, { 'content-type': r.type }).end(r.body) : res.writeHead(404).end()),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // A failed launch must still close the server, or the file never exits.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: 60_000 })
    .catch((e: unknown) => { server.close(); throw e; });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => typeof (globalThis as { run?: unknown }).run === 'function', undefined, { timeout: 60_000 }).catch(() => {
      throw new Error(`the bundle did not load: ${errors.join('; ')}`);
    });
    return (await page.evaluate((a) => (globalThis as unknown as { run: (x: unknown) => Promise<unknown> }).run(a), arg)) as T;
  } finally {
    await browser.close();
    server.close();
  }
}
