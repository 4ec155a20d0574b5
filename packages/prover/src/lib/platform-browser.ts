// Browser defaults, chosen through the `#platform` import condition: there is no file system, so
// the caller must pass `artifacts` and the test CRS bytes explicitly.
import type { ArtifactLoader } from '../artifacts.ts';
import type { CrsBytes } from '../crs.ts';

export async function defaultArtifacts(): Promise<ArtifactLoader> {
  throw new TypeError('artifacts: pass an ArtifactLoader (e.g. staticArtifacts) outside Node');
}

export async function defaultTestCrs(_points: number): Promise<CrsBytes> {
  throw new TypeError('testCrs: pass the test CRS bytes (fetched from the server) outside Node');
}
