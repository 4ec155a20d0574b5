// Bundles proved under the membership circuits as released before the public header (oidc and
// google: 37 public inputs, no header in the bundle; entra: the header already public) stay
// verifiable with the keys the manifest keeps for them, until their acceptedUntil. The bundles in
// fixtures/legacy-bundles.json were proved at commit 0e44088 (test CRS) with fresh test RSA keys,
// whose public JWKs they carry; the clock is fixed to when they were made, so the file stays valid.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isVeilError, type Variant } from '@veil/crypto';
import { readManifest } from '@veil/circuits/build';
import { createBackend, type Backend, type MembershipBundle } from '../src/index.ts';
import { nodeArtifacts } from '../src/artifacts-node.ts';

interface Legacy { bundle: MembershipBundle; jwks: { keys: JsonWebKey[] } }
const fixture = JSON.parse(readFileSync(new URL('./fixtures/legacy-bundles.json', import.meta.url), 'utf8')) as { madeAt: string } & Record<Variant, Legacy>;
const madeAt = new Date(fixture.madeAt);
const code = (c: string) => (e: unknown) => isVeilError(e, c) || assert.fail(`expected ${c}, got ${String(e)}`);
const expect = (b: MembershipBundle, now = madeAt) => ({ iss: b.claims.iss, aud: b.claims.aud, allowTestCrs: true, now: Math.floor(now.getTime() / 1000) });

describe('bundles of the circuits released before the public header', () => {
  let backend: Backend;
  before(async () => {
    backend = await createBackend({ crs: 'test', artifacts: nodeArtifacts({ now: () => madeAt }) });
  });
  after(() => backend?.destroy());

  for (const variant of ['oidc', 'google', 'entra'] as const) {
    it(`${variant}: verifies under its retired circuit with the stored key`, async () => {
      const { bundle, jwks } = fixture[variant];
      const retired = readManifest().circuits.find((c) => c.id === bundle.circuit.id);
      assert.equal(retired?.status, 'accepted-until', 'the fixture is of a retired circuit');
      assert.equal(retired?.publicHeader === true, variant === 'entra');
      const v = await backend.verify(bundle, jwks, { ...expect(bundle), variant });
      assert.deepEqual(v.circuit, bundle.circuit);
      assert.equal(v.header, bundle.claims.header);
    });
  }

  it('oidc: the 37 inputs are bound (another domain fails), and the bundle fits no other layout', async () => {
    const { bundle, jwks } = fixture.oidc;
    const other = structuredClone(bundle);
    other.claims.domain = 'other.example';
    await assert.rejects(backend.verify(other, jwks, expect(other)), code('ERR_PROOF_INVALID'));
    // A header added to it, or the bundle relabelled as today's circuit (which takes the header).
    const withHeader = structuredClone(bundle);
    withHeader.claims.header = fixture.entra.bundle.claims.header!;
    await assert.rejects(backend.verify(withHeader, jwks, expect(bundle)), code('ERR_BUNDLE_MALFORMED'));
    const current = readManifest().circuits.find((c) => c.name === 'membership' && c.status === 'current')!;
    const relabelled = { ...structuredClone(bundle), circuit: { name: 'membership', id: current.id! } };
    await assert.rejects(backend.verify(relabelled, jwks, expect(bundle)), code('ERR_BUNDLE_MALFORMED'));
  });

  it('refused once the clock passes acceptedUntil', async () => {
    const { bundle, jwks } = fixture.google;
    const until = new Date(readManifest().circuits.find((c) => c.id === bundle.circuit.id)!.acceptedUntil!);
    const late = await createBackend({ crs: 'test', artifacts: nodeArtifacts({ now: () => until }) });
    try {
      await assert.rejects(late.verify(bundle, jwks, expect(bundle)), code('ERR_CIRCUIT_UNKNOWN'));
    } finally {
      await late.destroy();
    }
  });
});
