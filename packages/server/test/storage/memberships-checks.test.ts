// POST /api/memberships: everything the server checks BEFORE the proof is verified (the verifier
// here fails the test if reached), on the storage under test. Success paths with real proofs are in
// memberships-proof tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeFixture, CIRCUIT_ID, type Fixture } from '../app-fixture.ts';
import { newKey } from '../helpers.ts';

let f: Fixture;
before(async () => { f = await makeFixture(); });
after(async () => { await f.close(); });

const code = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;
function bundle(over: Record<string, unknown> = {}, claims: Record<string, unknown> = {}) {
  return {
    v: 1,
    circuit: { name: 'membership', id: CIRCUIT_ID },
    crs: { id: `test-${'00'.repeat(32)}`, kind: 'test' },
    claims: { iss: f.issuer.iss, aud: f.issuer.aud, domain: 'acme.test', epk: newKey().publicKey, expiry: Math.floor(f.clock.t / 1000) + 86400, kid: 'k1', ...claims },
    proof: 'AAAA',
    ...over,
  };
}

test('StealthNote: iss and aud must match a configured issuer; circuit and CRS must be accepted', async () => {
  const cases: Array<[unknown, number, string]> = [
    [bundle({}, { iss: 'https://evil.test' }), 422, 'ERR_ISSUER_UNKNOWN'],
    [bundle({}, { aud: 'someone-elses-client' }), 422, 'ERR_AUD_MISMATCH'],
    [bundle({ circuit: { name: 'membership', id: 'ab'.repeat(32) } }), 422, 'ERR_CIRCUIT_UNKNOWN'],
    [bundle({ crs: { id: 'aztec-ignition', kind: 'aztec' } }), 422, 'ERR_CRS_NOT_ACCEPTED'],
    [bundle({}, { kid: 'never-published' }), 422, 'ERR_ISSUER_KEY_UNKNOWN'],
    [bundle({}, { domain: 'Not A Domain' }), 400, 'ERR_VALIDATION'],
    // issue 12: this issuer is configured for the oidc statement; a google (hd) bundle is not it
    [bundle({ variant: 'google' }), 422, 'ERR_VARIANT_MISMATCH'],
    [bundle({ variant: 'gmail' }), 400, 'ERR_VALIDATION'],
  ];
  for (const [b, status, c] of cases) {
    const r = await f.app.inject({ method: 'POST', url: '/api/memberships', payload: b as object });
    assert.equal(r.statusCode, status, r.body);
    assert.equal(code(r), c);
  }
});

test('StealthNote: expiry is the proof\'s, in the future and at most 14 days ahead', async () => {
  const nowS = Math.floor(f.clock.t / 1000);
  const cases = [[nowS, 403, 'ERR_MEMBERSHIP_EXPIRED'], [nowS - 1, 403, 'ERR_MEMBERSHIP_EXPIRED'], [nowS + 14 * 86400 + 1, 422, 'ERR_EXPIRY_TOO_FAR']] as const;
  for (const [expiry, status, c] of cases) {
    const r = await f.app.inject({ method: 'POST', url: '/api/memberships', payload: bundle({}, { expiry }) });
    assert.equal(r.statusCode, status, r.body);
    assert.equal(code(r), c);
  }
});

test('malformed bundles are refused by schema and nothing is stored', async () => {
  const b = bundle();
  for (const bad of [{}, { ...b, v: 2 }, { ...b, extra: 1 }, { ...b, claims: { ...b.claims, epk: 'zz' } }, { ...b, claims: { ...b.claims, expiry: '1' } }, { ...b, proof: 42 }]) {
    const r = await f.app.inject({ method: 'POST', url: '/api/memberships', payload: bad });
    assert.equal(r.statusCode, 400, JSON.stringify(bad).slice(0, 60));
    assert.equal(code(r), 'ERR_VALIDATION');
  }
  assert.equal(await f.storage.getMembership(b.claims.epk as string), null);
});

test('GET /api/memberships/:epk', async () => {
  const k = await f.seedMembership('acme.test');
  const r = await f.app.inject({ url: `/api/memberships/${k.publicKey}` });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().group, 'acme.test');
  assert.equal(r.json().bundle.claims.epk, k.publicKey);
  assert.equal((await f.app.inject({ url: `/api/memberships/${newKey().publicKey}` })).statusCode, 404);
  assert.equal((await f.app.inject({ url: '/api/memberships/xyz' })).statusCode, 400);
});

test('rate limit on membership registration per IP', async () => {
  const g = await makeFixture({ rateLimit: { membershipsPerIp: 2 }, storage: f.storage });
  try {
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await g.app.inject({ method: 'POST', url: '/api/memberships', payload: bundle({}, { iss: 'https://evil.test' }) })).statusCode);
    assert.deepEqual(codes, [422, 422, 429]);
  } finally {
    await g.app.close();
  }
});
