// Posts made before a circuit change stay verifiable in the browser. The change is real (the
// prover's test/lib/upgrade.ts: one more constraint in the oidc membership crate, recorded with
// retireCurrent as `npm run build:circuits -- --retire-until DATE` does), a bundle is proved under
// today's circuit, and the browser's own pieces check it: the pins read from the upgraded
// `circuits/` (pinnedArtifacts), the worker's loader (fetchArtifacts) fetching from the server's
// real /artifacts route, and the prover's backend — in Node and, bundled for the browser, in
// headless Chromium. The upgraded directory has no compiled program at all, so verification can
// only have used the retired circuit's pinned key. One proof.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEphemeralKey, isVeilError } from '@veil/crypto';
import { createBackend, getTestCrsId, type Backend, type MembershipBundle } from '@veil/prover';
import { buildApp, DEFAULT_RATE_LIMIT, KeyRegistry, openSqliteStorage, type ServerConfig, type Storage } from '@veil/server';
import { mintGoogleToken, type Minted } from '../../crypto/test/fixtures/tokens.ts';
import { runInChromium, type Route } from '../../prover/test/lib/browser.ts';
import { upgradeMembershipCircuit } from '../../prover/test/lib/upgrade.ts';
import { refuseVerify } from '../../server/test/app-fixture.ts';
import { fetchArtifacts, fetchTestCrs, type PinnedArtifacts } from '../src/app/workers/artifacts.ts';
import { KEYS_DIR, pinKey, pinnedArtifacts } from '../src/pinned-artifacts.ts';

const CHROMIUM_ENTRY = `
import { createBackend } from '@veil/prover';
import { fetchArtifacts, fetchTestCrs } from '../../../web/src/app/workers/artifacts.ts';
globalThis.run = async ({ pins, bundle, jwks, expect, later }) => {
  const verify = async (now) => {
    const b = await createBackend({ crs: 'test', artifacts: fetchArtifacts('/artifacts', pins, now ? { now } : {}), testCrs: fetchTestCrs('/artifacts'), threads: 2 });
    try { return (await b.verify(bundle, jwks, expect)).circuit.id; } catch (e) { return e.code ?? String(e); } finally { await b.destroy(); }
  };
  return { verified: await verify(), later: await verify(() => new Date(later)), isolated: crossOriginIsolated };
};`;

const code = (c: string) => (e: unknown) => isVeilError(e, c) || assert.fail(`expected ${c}, got ${String(e)}`);
const sha256 = (b64: string) => createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex');

describe('a retired membership circuit in the browser (test CRS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-web-retired-'));
  // Before the bundle's own expiry (7 days), so that past this date only the retirement refuses it.
  const until = new Date(Date.now() + 3 * 86400_000).toISOString();
  const expiry = Math.floor(Date.now() / 1000) + 7 * 86400;
  const crs = getTestCrsId();
  const epk = generateEphemeralKey();
  let minted: Minted;
  let bundle: MembershipBundle;
  let oldId: string;
  let newId: string;
  let pins: PinnedArtifacts;
  let retiredKeyPath: string;
  let storage: Storage;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let base = '';
  const backends: Backend[] = [];
  const requests: string[] = [];
  const realFetch = globalThis.fetch;

  before(async () => {
    // Proved the way the browser proves today: the current oidc circuit.
    const prover = await createBackend({ crs: 'test', threads: 2 });
    try {
      minted = await mintGoogleToken({ epk: epk.publicKey, salt: 9n, expiry, keyId: 'web-retired' });
      bundle = await prover.prove({ token: minted.token, jwk: minted.jwk, epk: epk.publicKey, salt: 9n, expiry, variant: 'oidc' });
    } finally {
      await prover.destroy();
    }
    oldId = bundle.circuit.id;
    const upgraded = await upgradeMembershipCircuit(dir, until);
    newId = upgraded.newId;
    retiredKeyPath = join(upgraded.keysDir, `membership.${oldId}.${crs}.json`);
    pins = pinnedArtifacts({ manifestPath: upgraded.manifestPath, keysDir: upgraded.keysDir });

    // The server's own /artifacts route over the upgraded circuits/, as `veil serve` mounts circuits/.
    storage = openSqliteStorage({ path: join(dir, 'db.sqlite') });
    const config: ServerConfig = {
      profile: 'development', host: '127.0.0.1', port: 0, dataDir: dir, crs: 'test', issuers: [],
      rateLimit: DEFAULT_RATE_LIMIT, devIssuer: { clientId: 'veil-dev', graceSeconds: 600 }, keyRefreshSeconds: 3600, enclave: { producer: 'none' },
    };
    const registry = new KeyRegistry({ storage, issuers: [], now: Date.now });
    app = await buildApp({ config, storage, registry, verifyMembership: refuseVerify, acceptedCircuits: [], artifactDirs: [dir] });
    base = `${await app.listen({ port: 0, host: '127.0.0.1' })}/artifacts`;
    globalThis.fetch = (input, init) => {
      requests.push(String(input instanceof Request ? input.url : input));
      return realFetch(input, init);
    };
  });
  after(async () => {
    globalThis.fetch = realFetch;
    for (const b of backends) await b.destroy().catch(() => {});
    await app?.close();
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A backend as the verify worker makes one (test CRS fetched from the server, never needed to verify). */
  const browserBackend = async (p: PinnedArtifacts = pins, now?: () => Date): Promise<Backend> => {
    const b = await createBackend({ crs: 'test', artifacts: fetchArtifacts(base, p, now ? { now } : {}), testCrs: fetchTestCrs(base), threads: 1 });
    backends.push(b);
    return b;
  };
  const expect = (now?: number) => ({ iss: bundle.claims.iss, aud: bundle.claims.aud, variant: 'oidc' as const, allowTestCrs: true, ...(now !== undefined ? { now } : {}) });

  it('pins the retired circuit with its variant and date, and its key under its own id', () => {
    assert.notEqual(newId, oldId);
    // (Only these two ids: the repository may already list circuits retired before.)
    assert.deepEqual(pins.circuits.filter((c) => c.id === newId || c.id === oldId), [
      { name: 'membership', id: newId, variant: 'oidc', publicHeader: true },
      { name: 'membership', id: oldId, variant: 'oidc', acceptedUntil: until, publicHeader: true },
    ]);
    // The retired key is the one committed for today's circuit, now pinned by its circuit id.
    const committed = JSON.parse(readFileSync(join(KEYS_DIR, `membership.${crs}.json`), 'utf8')) as { circuit: { id: string }; vk: string };
    assert.equal(committed.circuit.id, oldId);
    assert.equal(pins.verificationKeys[pinKey({ name: 'membership', id: oldId }, crs)], sha256(committed.vk));
    assert.equal(pins.verificationKeys[pinKey({ name: 'membership', id: newId }, crs)], undefined, 'the new circuit has no key yet');
    // Once the new circuit has its key (build:keys), both are pinned side by side, each under its id.
    const currentKey = join(dir, 'keys', `membership.${crs}.json`);
    const vk = Buffer.from(`a key file for ${newId}`).toString('base64');
    writeFileSync(currentKey, JSON.stringify({ circuit: { name: 'membership', id: newId }, crs, vk }));
    try {
      const both = pinnedArtifacts({ manifestPath: join(dir, 'circuits.json'), keysDir: join(dir, 'keys') }).verificationKeys;
      assert.equal(both[pinKey({ name: 'membership', id: newId }, crs)], sha256(vk));
      assert.equal(both[pinKey({ name: 'membership', id: oldId }, crs)], sha256(committed.vk));
    } finally {
      rmSync(currentKey);
    }
  });

  it('a bundle proved before the change verifies through the browser loader, from the retired key alone', async () => {
    assert.ok(!existsSync(join(dir, 'target')), 'no compiled program is served at all');
    requests.length = 0;
    const b = await browserBackend();
    const claims = await b.verify(bundle, { keys: [minted.jwk] }, expect());
    assert.equal(claims.circuit.id, oldId);
    assert.equal(claims.domain, bundle.claims.domain);
    assert.deepEqual(requests, [`${base}/keys/membership.${oldId}.${crs}.json`]);
    // The prover's own date check still applies to the time it is given.
    await assert.rejects(b.verify(bundle, { keys: [minted.jwk] }, expect(Math.ceil(Date.parse(until) / 1000))), code('ERR_CIRCUIT_UNKNOWN'));
  });

  it("a retired key the server altered is refused (ERR_VK_MISMATCH)", async () => {
    const honest = readFileSync(retiredKeyPath, 'utf8');
    const file = JSON.parse(honest) as { vk: string };
    const vk = Buffer.from(file.vk, 'base64');
    vk[vk.length - 1]! ^= 1;
    writeFileSync(retiredKeyPath, JSON.stringify({ ...file, vk: vk.toString('base64') }));
    try {
      await assert.rejects((await browserBackend()).verify(bundle, { keys: [minted.jwk] }, expect()), code('ERR_VK_MISMATCH'));
      // Another circuit's key served under the retired name is refused the same way.
      writeFileSync(retiredKeyPath, readFileSync(join(KEYS_DIR, `membership-google.${crs}.json`)));
      await assert.rejects(fetchArtifacts(base, pins).verificationKey({ name: 'membership', id: oldId }, crs), code('ERR_VK_MISMATCH'));
    } finally {
      writeFileSync(retiredKeyPath, honest);
    }
  });

  it("past its acceptedUntil by the browser's clock, the retired circuit is not listed and its bundles are refused", async () => {
    const later = () => new Date(Date.parse(until) + 1000);
    const listed = (await fetchArtifacts(base, pins, { now: later }).circuits()).map((c) => c.id);
    assert.ok(listed.includes(newId) && !listed.includes(oldId));
    // The verify worker passes the post's time as `now`; the clock of the loader decides retirement.
    const b = await browserBackend(pins, later);
    await assert.rejects(b.verify(bundle, { keys: [minted.jwk] }, expect(Math.floor(Date.now() / 1000))), code('ERR_CIRCUIT_UNKNOWN'));
  });

  it('the same in headless Chromium: the browser build of the loader and backend verifies the old bundle until the date', async () => {
    // The page's own origin relays /artifacts/ to the server, as `veil serve` serves app and artifacts together.
    const relay: Route = async (path) => {
      if (!path.startsWith('/artifacts/')) return undefined;
      const r = await realFetch(`${base}${path.slice('/artifacts'.length)}`);
      return { status: r.status, type: r.headers.get('content-type') ?? 'application/octet-stream', body: new Uint8Array(await r.arrayBuffer()) };
    };
    const out = await runInChromium<{ verified: string; later: string; isolated: boolean }>(CHROMIUM_ENTRY, {
      pins, bundle, jwks: { keys: [minted.jwk] }, expect: expect(), later: Date.parse(until) + 1000,
    }, relay);
    assert.equal(out.isolated, true);
    assert.equal(out.verified, oldId);
    assert.equal(out.later, 'ERR_CIRCUIT_UNKNOWN');
  });

  it('never proves with a retired circuit, and never fetches a program for one', async () => {
    const retiredOnly: PinnedArtifacts = { ...pins, circuits: pins.circuits.filter((c) => c.id !== newId) };
    requests.length = 0;
    const b = await browserBackend(retiredOnly);
    await assert.rejects(
      b.prove({ token: minted.token, jwk: minted.jwk, epk: epk.publicKey, salt: 9n, expiry, variant: 'oidc', crs: 'test' }),
      code('ERR_VARIANT_UNSUPPORTED'),
    );
    await assert.rejects(fetchArtifacts(base, retiredOnly).program('membership'), TypeError);
    assert.deepEqual(requests, []);
  });
});
