// The Node artifact loader: the manifest's circuits are the allowlist, and a stored verification
// key is only returned for the exact (circuit id, CRS id) it was computed for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '@veil/circuits/build';
import { nodeArtifacts } from '../src/artifacts-node.ts';

describe('nodeArtifacts', () => {
  it('lists the manifest circuits with their ids and, for membership circuits, their variant', async () => {
    const expected = readManifest().circuits.filter((c) => (c.status ?? 'current') === 'current')
      .map(({ name, id, variant }) => ({ name, id, ...(variant !== undefined ? { variant } : {}) }));
    assert.deepEqual(await nodeArtifacts().circuits(), expected);
    assert.deepEqual(expected.map((c) => c.variant), ['oidc', 'google', 'entra', undefined]);
  });

  it('returns a stored key only for its circuit id and CRS id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'veil-keys-'));
    try {
      const loader = nodeArtifacts({ keysDir: dir });
      const circuit = { name: 'membership', id: 'aa'.repeat(32) };
      const vk = new Uint8Array([1, 2, 3, 4, 5]);
      await loader.saveVerificationKey!(circuit, 'test-x', vk);
      assert.deepEqual(await loader.verificationKey(circuit, 'test-x'), vk);
      assert.equal(await loader.verificationKey({ ...circuit, id: 'bb'.repeat(32) }, 'test-x'), undefined);
      assert.equal(await loader.verificationKey(circuit, 'test-y'), undefined);
      assert.equal(await loader.verificationKey({ ...circuit, name: 'other' }, 'test-x'), undefined);
      const file = JSON.parse(readFileSync(join(dir, 'membership.test-x.json'), 'utf8')) as { vk: string };
      assert.equal(file.vk, 'AQIDBAU=');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
