// A real change of circuit for tests: a copy of circuits/ in `dir` with one extra constraint in the
// oidc membership crate, compiled with the project's build code (compileCrate, circuitId) and
// recorded with retireCurrent, as `npm run build:circuits -- --retire-until DATE` does: the
// repository's current `membership` id stays accepted until `until`, its test-CRS key renamed to
// `keys/membership.<old id>.<crs>.json`. The new circuit has no key yet (as before `build:keys`).
import assert from 'node:assert/strict';
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIRCUITS_DIR, circuitId, compileCrate, readManifest, retireCurrent } from '@veil/circuits/build';
import { getTestCrsId } from '../../src/crs.ts';

/** Upgrades `membership` in `dir` (empty); returns the new id and the manifest written there. */
export async function upgradeMembershipCircuit(dir: string, until: string): Promise<{ newId: string; manifestPath: string; keysDir: string }> {
  cpSync(join(CIRCUITS_DIR, 'lib'), join(dir, 'lib'), { recursive: true });
  cpSync(join(CIRCUITS_DIR, 'membership'), join(dir, 'membership'), { recursive: true });
  cpSync(join(CIRCUITS_DIR, 'keys'), join(dir, 'keys'), { recursive: true });
  const main = join(dir, 'membership', 'src', 'main.nr');
  const source = readFileSync(main, 'utf8');
  const changed = source.replace('    positions: Positions,\n) {\n', '    positions: Positions,\n) {\n    assert(expiry != 0, "expiry is set");\n');
  assert.notEqual(changed, source, 'the membership crate no longer has the expected signature: adapt the upgrade');
  writeFileSync(main, changed);
  const newId = circuitId(await compileCrate(dir, 'membership'));
  const manifest = readManifest();
  for (const [from, to] of retireCurrent(manifest, 'membership', newId, until, [getTestCrsId()])) renameSync(join(dir, from), join(dir, to));
  const manifestPath = join(dir, 'circuits.json');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return { newId, manifestPath, keysDir: join(dir, 'keys') };
}
