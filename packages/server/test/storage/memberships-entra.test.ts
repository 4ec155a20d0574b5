// POST /api/memberships for a Microsoft multi-tenant issuer (the entra statement: the tenant is the
// group). No proof is made here (the real entra proof is packages/prover/test/membership-entra.test.ts):
// an entra-shaped bundle with a wrong proof goes through every route check to the real verifier, which
// refuses its proof, its header's alg or kid, and the consumer tenant; the tenant id is a group posts
// can name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ENTRA_CONSUMER_TENANT, bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { createBackend, getTestCrsId, type Backend } from '@veil/prover';
import { nodeArtifacts } from '@veil/prover/artifacts-node';
import { proverVerifier, ENTRA_ISS_TEMPLATE } from '@veil/server';
import { TEST_TENANT } from '../../../crypto/test/fixtures/tokens.ts';
import { makeFixture, type Fixture } from '../app-fixture.ts';
import { signedPost } from '../helpers.ts';

let f: Fixture;
let backend: Backend;
let circuit: { name: string; id: string };
const tenantIss = (t: string) => `https://login.microsoftonline.com/${t}/v2.0`;
const b64url = (s: string) => Buffer.from(s).toString('base64url');

before(async () => {
  backend = await createBackend({ crs: 'test' });
  const entra = (await nodeArtifacts().circuits()).find((c) => c.variant === 'entra' && c.acceptedUntil === undefined)!;
  circuit = { name: entra.name, id: entra.id };
  f = await makeFixture({ verify: proverVerifier(backend), circuits: [entra.id], issuer: { iss: ENTRA_ISS_TEMPLATE, kind: 'microsoft', variant: 'entra' } });
});
after(async () => {
  await f.close();
  await backend.destroy();
});

const code = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;
const join = (b: unknown) => f.app.inject({ method: 'POST', url: '/api/memberships', payload: b as object });
function bundle(tenant: string, header: Record<string, unknown> = {}) {
  const kid = f.issuer.keys[0]!.kid;
  return {
    v: 1,
    circuit,
    variant: 'entra',
    crs: { id: getTestCrsId(), kind: 'test' },
    claims: {
      iss: tenantIss(tenant), aud: f.issuer.aud, domain: tenant, epk: bytesToHex(generateEphemeralKey().publicKey),
      expiry: Math.floor(f.clock.t / 1000) + 86400, kid,
      header: b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid, ...header })),
    },
    proof: randomBytes(14592).toString('base64'),
  };
}

test('an entra bundle reaches the verifier (tenant as group); a wrong proof, header alg or kid are refused there', async () => {
  const cases: Array<[string, ReturnType<typeof bundle>, string]> = [
    ['wrong proof', bundle(TEST_TENANT), 'ERR_PROOF_INVALID'],
    ['header alg RS384', bundle(TEST_TENANT, { alg: 'RS384' }), 'ERR_TOKEN_ALG'],
    ['header of another kid', bundle(TEST_TENANT, { kid: 'k2' }), 'ERR_KEY_MISMATCH'],
  ];
  for (const [what, b, c] of cases) {
    const r = await join(b);
    assert.equal(r.statusCode, 422, `${what}: ${r.body}`);
    assert.equal(code(r), c, what);
  }
  const noHeader = bundle(TEST_TENANT);
  delete (noHeader.claims as { header?: string }).header;
  assert.equal(code(await join(noHeader)), 'ERR_BUNDLE_MALFORMED');
  // The personal-accounts tenant is no issuer of this server; an iss of another tenant than the claim is refused.
  assert.equal(code(await join(bundle(ENTRA_CONSUMER_TENANT))), 'ERR_ISSUER_UNKNOWN');
  const split = bundle(TEST_TENANT);
  split.claims.iss = tenantIss('0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b');
  assert.equal(code(await join(split)), 'ERR_BUNDLE_MALFORMED');
  // Nothing was stored.
  for (const b of [...cases.map((x) => x[1]), noHeader, split]) assert.equal(await f.storage.getMembership(b.claims.epk), null);
});

test('a tenant id is a group: a member of the tenant posts to it', async () => {
  const key = await f.seedMembership(TEST_TENANT);
  const r = await f.app.inject({ method: 'POST', url: '/api/messages', payload: signedPost(key, { group: TEST_TENANT, text: 'hello tenant' }, f.clock.t) });
  assert.equal(r.statusCode, 201, r.body);
  const upper = await f.app.inject({ method: 'POST', url: '/api/messages', payload: signedPost(key, { group: TEST_TENANT.toUpperCase(), text: 'x' }, f.clock.t) });
  assert.equal(upper.statusCode, 400);
});
