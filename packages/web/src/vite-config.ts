/**
 * The Vite configuration of the web app, shared by `vite.config.ts` (dev server, preview) and
 * `buildWeb()` (what `veil serve` calls). Node-only: never imported by the browser bundle.
 *
 * Cross-origin isolation: COOP same-origin + COEP require-corp on every response so that
 * `crossOriginIsolated` is true and bb.js gets SharedArrayBuffer (multi-threaded WASM).
 * bb.js 0.86's browser build inlines its WASM as gzip data URLs and starts its own
 * `main.worker.js`/`thread.worker.js` with `new Worker(new URL(…, import.meta.url), { type: 'module' })`;
 * Vite bundles those as ES workers. The Noir WASM packages load `*_bg.wasm` via `new URL(…)`,
 * which Vite emits as assets. Pre-bundling (optimizeDeps) would break those relative URLs in dev.
 */
import { fileURLToPath } from 'node:url';
import type { InlineConfig, Plugin } from 'vite';
import { pinnedObserversModule } from './pinned-observers.ts';

export const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST_DIR = fileURLToPath(new URL('../dist', import.meta.url));

export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/**
 * Content-Security-Policy of the built page (not the dev server, whose HMR client needs more):
 * scripts only from this origin; WASM compilation allowed (bb.js, Noir); bb.js fetches its WASM
 * from `data:` URLs and starts one helper worker from a `blob:` URL; no inline script, no plugins. Post text is rendered as text nodes, never HTML: CSP is the second line.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' data:",
  "img-src 'self' data:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

function csp(): Plugin {
  return {
    name: 'veil-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  };
}

const PINNED_ID = 'virtual:veil-pinned-artifacts';

/** Serves the circuit ids and verification-key hashes from `circuits/` to the bundle (page and workers). */
function pinnedArtifactsModule(): Plugin {
  return {
    name: 'veil-pinned-artifacts',
    resolveId: (id) => (id === PINNED_ID ? `\0${PINNED_ID}` : undefined),
    async load(id) {
      if (id !== `\0${PINNED_ID}`) return undefined;
      const { pinnedArtifacts } = await import('./pinned-artifacts.ts');
      return `export default ${JSON.stringify(pinnedArtifacts())};`;
    },
  };
}

/** `api` is the origin of a running `veil serve` that the dev server proxies API calls to. */
export function webConfig(opts: { outDir?: string; api?: string } = {}): InlineConfig {
  const api = opts.api ?? process.env.VEIL_API ?? 'http://127.0.0.1:8080';
  const proxy = Object.fromEntries(['/api', '/dev-issuer', '/artifacts'].map((p) => [p, { target: api, changeOrigin: false }]));
  return {
    configFile: false,
    root: WEB_ROOT,
    appType: 'spa',
    plugins: [csp(), pinnedArtifactsModule(), pinnedObserversModule()],
    base: '/',
    worker: { format: 'es', plugins: () => [pinnedArtifactsModule(), pinnedObserversModule()] },
    optimizeDeps: {
      exclude: ['@aztec/bb.js', '@noir-lang/noir_js', '@noir-lang/acvm_js', '@noir-lang/noirc_abi'],
    },
    server: { headers: { ...ISOLATION_HEADERS }, proxy },
    preview: { headers: { ...ISOLATION_HEADERS }, proxy },
    build: {
      target: 'es2022',
      outDir: opts.outDir ?? DIST_DIR,
      emptyOutDir: true,
      chunkSizeWarningLimit: 8192,
      // bb.js's 4 MB WASM modules make the plugin-timing report fire on every build: noise.
      rolldownOptions: { checks: { bundlerTimings: false } },
    },
  };
}
