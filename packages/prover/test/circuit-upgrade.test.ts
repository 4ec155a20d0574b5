// Versioned circuits: a bundle proved under today's circuit stays verifiable after the circuit
// changes. The change is real (test/lib/upgrade.ts): a copy of circuits/ with one extra constraint
// in the membership crate, compiled with the project's build code and recorded with retireCurrent,
// as `npm run build:circuits -- --retire-until DATE` does. One proof for the file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEphemeralKey, isVeilError } from '@veil/crypto';
import { acceptedCircuits, readManifest, retireCurrent, type Manifest } from '@veil/circuits/build';
import { mintGoogleToken } from '../../crypto/test/fixtures/tokens.ts';
import { createBackend, getTestCrsId, type Backend, type MembershipBundle } from '../src/index.ts';
import { nodeArtifacts } from '../src/artifacts-node.ts';
import { upgradeMembershipCircuit } from './lib/upgrade.ts';

const code = (c: string) => (e: unknown) => isVeilError(e, c) || assert.fail(`expected ${c}, got ${String(e)}`);

describe('manifest versions', () => {
  const base = (): Manifest => ({ circuits: [{ name: 'membership', path: 'membership', id: 'aa'.repeat(32), status: 'current' }] });
  it('retireCurrent keeps the previous id accepted until a date, with its keys; acceptedCircuits honours the date', () => {
    const m = base();
    const renames = retireCurrent(m, 'membership', 'bb'.repeat(32), '2027-06-30', ['test-x']);
    assert.deepEqual(renames, [['keys/membership.test-x.json', `keys/membership.${'aa'.repeat(32)}.test-x.json`]]);
    assert.deepEqual(m.circuits.map((c) => [c.id, c.status, c.acceptedUntil]), [
      ['bb'.repeat(32), 'current', undefined],
      ['aa'.repeat(32), 'accepted-until', '2027-06-30T00:00:00.000Z'],
    ]);
    assert.deepEqual(acceptedCircuits(m, new Date('2027-06-29T23:59:59Z')).map((c) => c.id), ['bb'.repeat(32), 'aa'.repeat(32)]);
    assert.deepEqual(acceptedCircuits(m, new Date('2027-06-30T00:00:00Z')).map((c) => c.id), ['bb'.repeat(32)]);
    // Rebuilding the same id retires nothing; a bad date is refused.
    assert.deepEqual(retireCurrent(m, 'membership', 'bb'.repeat(32), '2027-07-01', ['test-x']), []);
    assert.throws(() => retireCurrent(m, 'membership', 'cc'.repeat(32), 'soon', []), TypeError);
  });

  it('readManifest refuses two current circuits of one name and an accepted-until without a date', () => {
    const dir = mkdtempSync(join(tmpdir(), 'veil-manifest-'));
    try {
      const path = join(dir, 'circuits.json');
      const bad: Manifest[] = [
        { circuits: [...base().circuits, { name: 'membership', path: 'membership', id: 'bb'.repeat(32), status: 'current' }] },
        { circuits: [...base().circuits, { name: 'membership', path: 'membership', id: 'bb'.repeat(32), status: 'accepted-until' }] },
        { circuits: [{ name: 'membership', path: 'membership', id: 'bb'.repeat(32), status: 'retired' as 'current' }] },
      ];
      for (const m of bad) {
        writeFileSync(path, JSON.stringify(m));
        assert.throws(() => readManifest(path), TypeError);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('circuit upgrade (test CRS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-upgrade-'));
  // Before the bundle's own expiry (7 days), so that past this date only the circuit's retirement refuses it.
  const until = new Date(Date.now() + 3 * 86400_000).toISOString();
  let backend: Backend;
  let bundle: MembershipBundle;
  let jwks: { keys: JsonWebKey[] };
  let oldId: string;
  let newId: string;
  const expiry = Math.floor(Date.now() / 1000) + 7 * 86400;

  before(async () => {
    backend = await createBackend({ crs: 'test', threads: 2 });
    const k = generateEphemeralKey();
    const minted = await mintGoogleToken({ epk: k.publicKey, salt: 5n, expiry, keyId: 'prover-upgrade' });
    jwks = { keys: [minted.jwk] };
    // The oidc circuit is the one changed below (a Google token proves it when asked for by name).
    bundle = await backend.prove({ token: minted.token, jwk: minted.jwk, epk: k.publicKey, salt: 5n, expiry, variant: 'oidc' });
    await backend.destroy();
    oldId = bundle.circuit.id;

    // The upgrade: the same crates with one more constraint, compiled by the build script's code.
    ({ newId } = await upgradeMembershipCircuit(dir, until));
  });
  after(async () => {
    await backend?.destroy().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  const loader = (o: { accept?: string[]; now?: () => Date } = {}) => nodeArtifacts({ manifestPath: join(dir, 'circuits.json'), keysDir: join(dir, 'keys'), ...o });
  const expect = (now?: number) => ({ iss: bundle.claims.iss, aud: bundle.claims.aud, allowTestCrs: true, ...(now !== undefined ? { now } : {}) });

  it('the changed circuit has a new id, current; the old one is accepted until its date with its key file', async () => {
    assert.notEqual(newId, oldId);
    // (Only these two ids: the repository may already list circuits retired before.)
    assert.deepEqual((await loader().circuits()).filter((c) => c.id === newId || c.id === oldId), [
      { name: 'membership', id: newId, variant: 'oidc', publicHeader: true },
      { name: 'membership', id: oldId, variant: 'oidc', acceptedUntil: until, publicHeader: true },
    ]);
    assert.ok(existsSync(join(dir, 'keys', `membership.${oldId}.${getTestCrsId()}.json`)));
    assert.equal(await loader().verificationKey({ name: 'membership', id: newId }, getTestCrsId()), undefined);
  });

  it('a bundle from before the upgrade verifies under the upgraded manifest, until the date', async () => {
    backend = await createBackend({ crs: 'test', artifacts: loader() });
    const claims = await backend.verify(bundle, jwks, expect());
    assert.equal(claims.circuit.id, oldId);
    await assert.rejects(backend.verify(bundle, jwks, expect(Math.ceil(Date.parse(until) / 1000))), code('ERR_CIRCUIT_UNKNOWN'));
    await backend.destroy();

    // A configured set without the old circuit, or a clock past its date, refuses it.
    for (const l of [loader({ accept: [newId] }), loader({ now: () => new Date(Date.parse(until) + 1000) })]) {
      backend = await createBackend({ crs: 'test', artifacts: l });
      await assert.rejects(backend.verify(bundle, jwks, expect()), code('ERR_CIRCUIT_UNKNOWN'));
      await backend.destroy();
    }
  });
});
