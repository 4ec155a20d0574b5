// GET /api/keys (issuer key registry) and GET /api/config on the storage under test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { isVeilError } from '@veil/crypto';
import { KeyRegistry } from '@veil/server';
import { makeFixture, type Fixture } from '../app-fixture.ts';

let f: Fixture;
before(async () => { f = await makeFixture(); });
after(async () => { await f.close(); });

test('GET /api/config: profile, issuers, circuits, CRS kind, limits; COOP/COEP', async () => {
  const r = await f.app.inject({ url: '/api/config' });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
  const c = r.json();
  assert.equal(c.profile, 'development');
  assert.deepEqual(c.issuers, [{
    id: 'test', kind: 'oidc', iss: f.issuer.iss, aud: f.issuer.aud, variant: 'oidc', provable: true, authorizationEndpoint: `${f.issuer.iss}/auth`, label: 'Test issuer',
    keys: { state: 'loaded', checkedAt: f.clock.t },
  }]);
  assert.equal(c.crs.kind, 'test');
  assert.equal(c.circuits.length, 1);
  assert.equal(c.limits.maxTextCodePoints, 2000);
  assert.equal(c.devRegistry, null, 'no dev registry unless startServer runs one');
});

test('an issuer whose keys cannot be loaded is "unavailable" in /api/config with a one-line reason, and "loaded" again once they can', async () => {
  const good = readFileSync(f.issuer.file, 'utf8');
  writeFileSync(f.issuer.file, '{ not json');
  try {
    await assert.rejects(f.registry.refresh(f.issuer.iss), (e) => isVeilError(e, 'ERR_ISSUER_UNREACHABLE'));
    const keys = (await f.app.inject({ url: '/api/config' })).json().issuers[0].keys;
    assert.equal(keys.state, 'unavailable');
    assert.equal(keys.checkedAt, f.clock.t);
    assert.match(keys.error, new RegExp(`^could not fetch the JWKS of ${f.issuer.iss.replace(/[.]/g, '\\.')}: .*JSON`));
    assert.doesNotMatch(keys.error, /\n|    at /);
  } finally {
    writeFileSync(f.issuer.file, good);
  }
  await f.registry.refresh(f.issuer.iss);
  assert.equal((await f.app.inject({ url: '/api/config' })).json().issuers[0].keys.state, 'loaded');
});

test('StealthNote: keys survive issuer rotation; first/last seen tracked; unknown kid refresh is rate-limited', async () => {
  const k1 = f.issuer.keys[0]!;
  const t0 = f.clock.t;
  let keys = (await f.app.inject({ url: '/api/keys' })).json().keys;
  assert.deepEqual(keys.map((k: { kid: string }) => k.kid), ['k1']);
  assert.equal(keys[0].jwk.n, k1.n);
  assert.equal(keys[0].firstSeen, t0);
  // the issuer rotates: k1 disappears from its JWKS, k2 appears
  f.issuer.set([f.issuer.mk('k2')]);
  f.clock.t += 60_000;
  const k2 = await f.registry.getKey(f.issuer.iss, 'k2'); // unknown kid → refresh
  assert.equal(k2.kid, 'k2');
  keys = (await f.app.inject({ url: `/api/keys?iss=${encodeURIComponent(f.issuer.iss)}` })).json().keys;
  assert.deepEqual(keys.map((k: { kid: string }) => k.kid), ['k1', 'k2']);
  const old = keys.find((k: { kid: string }) => k.kid === 'k1');
  assert.equal(old.lastSeen, t0); // not seen since the rotation, but kept
  assert.equal(old.jwk.n, k1.n);
  assert.equal(keys.find((k: { kid: string }) => k.kid === 'k2').firstSeen, t0 + 60_000);
  // an unknown kid right after a refresh does not trigger another fetch
  f.issuer.set([f.issuer.keys[0]!, f.issuer.mk('k3')]);
  await assert.rejects(f.registry.getKey(f.issuer.iss, 'k3'), (e: { code?: string }) => e.code === 'ERR_ISSUER_KEY_UNKNOWN');
  f.clock.t += 10_000;
  assert.equal((await f.registry.getKey(f.issuer.iss, 'k3')).kid, 'k3');
  // private or non-RSA members of a JWKS never enter the registry
  f.issuer.set([{ ...f.issuer.mk('k4'), d: 'secret' } as never, { kty: 'EC', kid: 'k5', crv: 'P-256', x: 'x', y: 'y' } as never]);
  f.clock.t += 10_000;
  await f.registry.refresh(f.issuer.iss);
  keys = (await f.app.inject({ url: '/api/keys' })).json().keys;
  const k4 = keys.find((k: { kid: string }) => k.kid === 'k4');
  assert.ok(k4 && !('d' in k4.jwk));
  assert.ok(!keys.some((k: { kid: string }) => k.kid === 'k5'));
  assert.equal((await f.app.inject({ url: '/api/keys?iss=https://nobody.test' })).json().keys.length, 0);
});

test('a kid re-published with another modulus is kept bound to the first key, logged and listed as a conflict', async () => {
  const seen: Array<{ iss: string; kid: string; n: string }> = [];
  const registry = new KeyRegistry({
    storage: f.storage, issuers: [{ iss: f.issuer.iss, jwks: { file: f.issuer.file } }], now: () => f.clock.t,
    onConflict: (c) => seen.push({ iss: c.iss, kid: c.kid, n: c.jwk.n! }),
  });
  const bound = (await f.app.inject({ url: '/api/keys' })).json().keys.find((k: { kid: string }) => k.kid === 'k3');
  const rogue = f.issuer.mk('k3');
  f.issuer.set([rogue, { ...bound.jwk, alg: undefined }]); // k3 twice: other material, then the same key with other metadata
  f.clock.t += 1000;
  await registry.refresh(f.issuer.iss);
  assert.deepEqual(seen, [{ iss: f.issuer.iss, kid: 'k3', n: rogue.n }]);
  const r = (await f.app.inject({ url: `/api/keys?iss=${encodeURIComponent(f.issuer.iss)}` })).json();
  assert.equal(r.keys.find((k: { kid: string }) => k.kid === 'k3').jwk.n, bound.jwk.n); // never re-bound
  assert.equal(r.keys.find((k: { kid: string }) => k.kid === 'k3').lastSeen, f.clock.t); // the same key, seen again
  assert.deepEqual(r.conflicts.map((c: { kid: string; jwk: { n: string }; firstSeen: number }) => [c.kid, c.jwk.n, c.firstSeen]), [['k3', rogue.n, f.clock.t]]);
  assert.equal((await f.registry.getKey(f.issuer.iss, 'k3')).jwk.n, bound.jwk.n);
  f.clock.t += 1000;
  await registry.refresh(f.issuer.iss); // seen again: one conflict row, last seen moves
  const again = (await f.app.inject({ url: '/api/keys' })).json().conflicts;
  assert.equal(again.length, 1);
  assert.equal(again[0].lastSeen, f.clock.t);
  assert.equal(seen.length, 2);
  assert.deepEqual((await f.app.inject({ url: '/api/keys?iss=https://nobody.test' })).json().conflicts, []);
});

test('GET /api/orgs: per domain, keys valid now (the anonymity set), keys ever registered, public posts', async () => {
  const empty = (await f.app.inject({ url: '/api/orgs' })).json();
  const before = new Map((empty.orgs as { domain: string; activeKeys: number }[]).map((o) => [o.domain, o]));
  assert.equal(before.has('orgs-a.test'), false);
  await f.seedMembership('orgs-a.test');
  await f.seedMembership('orgs-a.test');
  await f.seedMembership('orgs-a.test', { expiry: Math.floor(f.clock.t / 1000) - 1 });
  const b = await f.seedMembership('orgs-b.test');
  await f.storage.insertMessage({ id: 'ab'.repeat(16), group: 'orgs-b.test', internal: false, text: 'hi', createdAt: f.clock.t, epk: b.publicKey, signature: '00'.repeat(64), receivedAt: f.clock.t });
  await f.storage.insertMessage({ id: 'ac'.repeat(16), group: 'orgs-b.test', internal: true, text: 'members', createdAt: f.clock.t + 1, epk: b.publicKey, signature: '00'.repeat(64), receivedAt: f.clock.t });
  const r = await f.app.inject({ url: '/api/orgs' });
  assert.equal(r.statusCode, 200);
  const orgs = r.json().orgs as { domain: string }[];
  assert.deepEqual(orgs.find((o) => o.domain === 'orgs-a.test'), { domain: 'orgs-a.test', activeKeys: 2, keys: 3, publicPosts: 0, lastPostAt: null });
  // members-only posts are not counted (nor their time shown)
  assert.deepEqual(orgs.find((o) => o.domain === 'orgs-b.test'), { domain: 'orgs-b.test', activeKeys: 1, keys: 1, publicPosts: 1, lastPostAt: f.clock.t });
  assert.ok(orgs.findIndex((o) => o.domain === 'orgs-a.test') < orgs.findIndex((o) => o.domain === 'orgs-b.test'), 'largest anonymity set first');
});
