// Node-only: the test CRS cached on disk under node_modules/.cache/veil-crs/ (generated on first
// use, grown when a larger circuit needs more points; the files are prefixes of one infinite
// sequence, so a larger file serves every smaller circuit). Browsers fetch the same two files.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTestCrs, getTestCrsId, testCrsId, type CrsBytes } from './crs.ts';

function defaultCacheDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      if (statSync(join(dir, 'node_modules')).isDirectory()) return join(dir, 'node_modules', '.cache', 'veil-crs');
    } catch {
      // keep walking up
    }
    if (dirname(dir) === dir) throw new Error('no node_modules directory above @veil/prover');
  }
}

/** Directory holding the cached test CRS (`VEIL_CRS_DIR` overrides). */
export function testCrsDir(): string {
  return process.env.VEIL_CRS_DIR || defaultCacheDir();
}

const inflight = new Map<string, Promise<CrsBytes>>();

/**
 * Returns at least `points` points of the test CRS, from the cache or freshly generated (then cached).
 * A cached file that does not start with the expected points is regenerated.
 */
export function loadTestCrs(points: number, dir = testCrsDir()): Promise<CrsBytes> {
  const key = `${dir}:${points}`;
  let p = inflight.get(key);
  if (!p) {
    p = (async () => {
      const g1Path = join(dir, 'bn254_g1.dat');
      const g2Path = join(dir, 'bn254_g2.dat');
      try {
        const g1 = new Uint8Array(readFileSync(g1Path));
        const g2 = new Uint8Array(readFileSync(g2Path));
        if (g1.length >= points * 64 && g1.length % 64 === 0 && testCrsId({ g1, g2 }) === getTestCrsId()) return { g1, g2 };
      } catch {
        // missing or unreadable: generate below
      }
      const crs = generateTestCrs(Math.max(points, 2));
      mkdirSync(dir, { recursive: true });
      for (const [path, data] of [[g1Path, crs.g1], [g2Path, crs.g2]] as const) {
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, data);
        renameSync(tmp, path);
      }
      return crs;
    })();
    inflight.set(key, p);
    p.finally(() => inflight.delete(key)).catch(() => {});
  }
  return p;
}
