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
  it('lists the manifest circuits with their ids and, for membership circuits, their variant and public header; retired ones after, until their date', async () => {
    const circuits = readManifest().circuits;
    const info = (c: (typeof circuits)[number]) => ({
      name: c.name,
      id: c.id,
      ...(c.variant !== undefined ? { variant: c.variant, publicHeader: c.publicHeader === true } : {}),
      ...(c.status === 'accepted-until' ? { acceptedUntil: c.acceptedUntil } : {}),
    });
    const current = circuits.filter((c) => (c.status ?? 'current') === 'current');
    assert.deepEqual(current.map((c) => c.variant), ['oidc', 'google', 'entra', undefined]);
    assert.ok(current.every((c) => c.kind !== 'membership' || c.publicHeader === true), 'every current membership circuit publishes the header');
    // The circuits retired on 2026-12-01 (accepted until 2027-06-01), listed the day after and not on their date.
    const retired = circuits.filter((c) => c.status === 'accepted-until' && c.acceptedUntil === '2027-06-01T00:00:00.000Z');
    assert.deepEqual(retired.map((c) => [c.variant, c.publicHeader === true]), [['oidc', false], ['google', false], ['entra', true]]);
    const at = (iso: string) => nodeArtifacts({ now: () => new Date(iso) }).circuits();
    assert.deepEqual((await at('2026-12-02T00:00:00Z')).filter((c) => c.acceptedUntil === undefined || retired.some((r) => r.id === c.id)), [...current, ...retired].map(info));
    assert.ok((await at('2027-06-01T00:00:00Z')).every((c) => !retired.some((r) => r.id === c.id)));
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
