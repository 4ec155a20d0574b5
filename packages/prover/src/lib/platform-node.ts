// Node defaults, chosen through the `#platform` import condition (browsers get platform-browser.ts).
import type { ArtifactLoader } from '../artifacts.ts';
import type { CrsBytes } from '../crs.ts';

export async function defaultArtifacts(): Promise<ArtifactLoader> {
  const { nodeArtifacts } = await import('../artifacts-node.ts');
  return nodeArtifacts();
}

export async function defaultTestCrs(points: number): Promise<CrsBytes> {
  const { loadTestCrs } = await import('../crs-node.ts');
  return loadTestCrs(points);
}

/** Where to load noir_js's WASM from (browsers only; Node's builds load themselves). */
export interface NoirWasm {
  acvm?: string | URL;
  abi?: string | URL;
}

export async function initNoir(_wasm: NoirWasm = {}): Promise<void> {}
