// Browser defaults, chosen through the `#platform` import condition: there is no file system, so
// the caller must pass `artifacts` and the test CRS bytes explicitly; noir_js's two WASM modules
// (ACVM, ABI) must be initialised before executing a circuit (Node's builds do it themselves).
import type { ArtifactLoader } from '../artifacts.ts';
import type { CrsBytes } from '../crs.ts';

export async function defaultArtifacts(): Promise<ArtifactLoader> {
  throw new TypeError('artifacts: pass an ArtifactLoader (e.g. staticArtifacts) outside Node');
}

export async function defaultTestCrs(_points: number): Promise<CrsBytes> {
  throw new TypeError('testCrs: pass the test CRS bytes (fetched from the server) outside Node');
}

/** Where to load noir_js's WASM from (default: next to the wasm-bindgen modules, `import.meta.url`). */
export interface NoirWasm {
  acvm?: string | URL;
  abi?: string | URL;
}

let ready: Promise<void> | undefined;
export function initNoir(wasm: NoirWasm = {}): Promise<void> {
  ready ??= (async () => {
    const [acvm, abi] = await Promise.all([import('@noir-lang/acvm_js'), import('@noir-lang/noirc_abi')]);
    const init = (m: unknown, path: string | URL | undefined) =>
      (m as { default: (o?: { module_or_path: string | URL }) => Promise<unknown> }).default(path ? { module_or_path: path } : undefined);
    await Promise.all([init(acvm, wasm.acvm), init(abi, wasm.abi)]);
  })();
  ready.catch(() => (ready = undefined));
  return ready;
}
