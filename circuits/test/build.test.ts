// The committed circuit ids are what a fresh compile produces: catches Noir changes that were not
// followed by `npm run build:circuits`, hand edits of circuits.json, and compiler nondeterminism.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureCompiled, readManifest, sourcesHash } from '../scripts/build.ts';

describe('circuit build', () => {
  const manifest = readManifest();

  it('lists at least the membership circuit, each with a recorded id', () => {
    assert.ok(manifest.circuits.some((c) => c.name === 'membership'));
    for (const c of manifest.circuits) assert.match(c.id ?? '', /^[0-9a-f]{64}$/, c.name);
  });

  // Retired entries have no sources left: only current ones are compiled.
  for (const entry of manifest.circuits.filter((c) => (c.status ?? 'current') === 'current')) {
    it(`a fresh compile of ${entry.name} reproduces its committed id`, async () => {
      // Fresh compile (the cache is bypassed, then refreshed for the proving tests that follow).
      const { program, id } = await ensureCompiled(entry.name, { fresh: true });
      assert.equal(id, entry.id, 'run `npm run build:circuits` and commit circuits.json');
      assert.ok(Object.values(program.file_map ?? {}).every((f) => !f.path.startsWith('/')), 'artifact paths are machine-independent');
    });
  }

  it('keys its cache on the Noir sources', () => {
    assert.match(sourcesHash(), /^[0-9a-f]{64}$/);
    assert.equal(sourcesHash(), sourcesHash());
  });
});
