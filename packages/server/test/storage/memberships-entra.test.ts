// POST /api/memberships for a Microsoft multi-tenant issuer (the entra statement: the tenant is the
// group), and a tenant member's post re-verified by every verifier. Entra-shaped bundles with a wrong
// proof go through every route check to the real verifier, which refuses their proof, their header's
// alg or kid, and the consumer tenant. One REAL entra proof for the file (its statement is tested in
// packages/prover/test/membership-entra.test.ts), binding the email domain contoso.example: a board
// naming other email domains refuses it, one naming it registers it, it posts, `GET /api/messages/:id`
// serves it with the key registered under the template issuer, and `veil verify-message` and the web
// badge (verify-post.ts, with the real proof verifier) verify it, following the board's email domains; the mapping's refusals are unit-tested in
// crypto/test/issuer-for-iss.test.ts and web/test/verify-post.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENTRA_CONSUMER_TENANT, bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { createBackend, getTestCrsId, type Backend, type MembershipBundle } from '@veil/prover';
import { nodeArtifacts } from '@veil/prover/artifacts-node';
import { proverVerifier, ENTRA_ISS_TEMPLATE } from '@veil/server';
import type { ConfigResponse, KeysResponse, MessageDetail } from '@veil/server/schemas';
import { mintEntraToken, testKey, TEST_TENANT } from '../../../crypto/test/fixtures/tokens.ts';
import { verifyPost } from '../../../web/src/app/verify-post.ts';
import { makeFixture, type Fixture } from '../app-fixture.ts';
import { signedPost } from '../helpers.ts';

const VEIL = fileURLToPath(new URL('../../../cli/bin/veil.mjs', import.meta.url));
let f: Fixture;
let backend: Backend;
let circuit: { name: string; id: string };
let real: { bundle: MembershipBundle; key: { secretKey: string; publicKey: string } };
const tenantIss = (t: string) => `https://login.microsoftonline.com/${t}/v2.0`;
const b64url = (s: string) => Buffer.from(s).toString('base64url');

before(async () => {
  backend = await createBackend({ crs: 'test' });
  const entra = (await nodeArtifacts().circuits()).find((c) => c.variant === 'entra' && c.acceptedUntil === undefined)!;
  circuit = { name: entra.name, id: entra.id };
  f = await makeFixture({ verify: proverVerifier(backend), circuits: [entra.id], issuer: { iss: ENTRA_ISS_TEMPLATE, kind: 'microsoft', variant: 'entra' } });
  // Microsoft's common JWKS, as the registry reads it under the template issuer, holds the signing key.
  f.issuer.set([...f.issuer.keys, testKey('server-entra').jwk as never]);
  await f.registry.refresh(f.issuer.iss);
  const eph = generateEphemeralKey();
  const expiry = Math.floor(f.clock.t / 1000) + 5 * 86400;
  const salt = BigInt(`0x${randomBytes(16).toString('hex')}`);
  const iat = expiry - 7 * 86400;
  const { token, jwk } = await mintEntraToken({ epk: eph.publicKey, salt, expiry, keyId: 'server-entra', claims: { aud: f.issuer.aud, iat, nbf: iat, exp: iat + 3600 } });
  real = { bundle: await backend.prove({ token, jwk, epk: eph.publicKey, salt, expiry, emailDomain: 'contoso.example' }), key: { secretKey: bytesToHex(eph.secretKey), publicKey: bytesToHex(eph.publicKey) } };
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

function veil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VEIL, ...args], { timeout: 120_000, env: { ...process.env, VEIL_CRS: 'test' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('a real entra member posts; the post is served with the template key and verified by veil verify-message and the web badge', { timeout: 300_000 }, async () => {
  const { bundle, key } = real;
  assert.equal(bundle.claims.iss, tenantIss(TEST_TENANT));
  // A board naming email domains admits only tenant members whose membership binds one of them.
  const ms = f.config.issuers[0]!;
  ms.emailDomains = ['fabrikam.example'];
  const otherDomain = await join(bundle);
  assert.equal(otherDomain.statusCode, 422, otherDomain.body);
  assert.equal(code(otherDomain), 'ERR_EMAIL_DOMAIN_MISMATCH');
  const { emailDomain: _e, ...unbound } = bundle.claims;
  assert.equal(code(await join({ ...bundle, claims: unbound })), 'ERR_EMAIL_DOMAIN_MISMATCH');
  assert.equal(await f.storage.getMembership(bundle.claims.epk), null);
  ms.emailDomains = ['fabrikam.example', 'contoso.example'];
  const r = await join(bundle);
  assert.equal(r.statusCode, 201, r.body);
  const p = signedPost(key, { group: TEST_TENANT, text: 'hello from the tenant' }, f.clock.t);
  assert.equal((await f.app.inject({ method: 'POST', url: '/api/messages', payload: p })).statusCode, 201);
  const got = await f.app.inject({ method: 'GET', url: `/api/messages/${p.message.id}` });
  assert.equal(got.statusCode, 200, got.body);
  const detail = got.json() as MessageDetail;
  assert.equal(detail.membership.iss, tenantIss(TEST_TENANT));
  assert.deepEqual({ iss: detail.issuerKey.iss, kid: detail.issuerKey.kid, n: detail.issuerKey.jwk.n }, { iss: ENTRA_ISS_TEMPLATE, kid: testKey('server-entra').jwk.kid, n: testKey('server-entra').jwk.n });

  // The web badge, with the real proof verifier and what the browser would read from this board.
  const config = (await f.app.inject({ method: 'GET', url: '/api/config' })).json() as ConfigResponse;
  assert.deepEqual(config.issuers[0]!.emailDomains, ['fabrikam.example', 'contoso.example']);
  const registry = ((await f.app.inject({ method: 'GET', url: '/api/keys' })).json() as KeysResponse).keys;
  const asked: string[] = [];
  const web = (issuers = config.issuers) => verifyPost(detail, {
    registry, issuers,
    verifyMembership: (b, jwks, expect) => backend.verify(b as MembershipBundle, jwks, { ...expect, now: Math.floor(f.clock.t / 1000), allowTestCrs: true }),
    // the tenant's own discovery (…/<tid>/v2.0) publishes the common keys
    issuerKeys: async (iss) => (asked.push(iss), { keys: [{ ...testKey('server-entra').jwk }] }),
  });
  assert.deepEqual(await web(), { ok: true, keySource: 'issuer' });
  assert.deepEqual(asked, [tenantIss(TEST_TENANT)]);
  const fabrikamOnly = await web(config.issuers.map((i) => ({ ...i, emailDomains: ['fabrikam.example'] })));
  assert.deepEqual([fabrikamOnly.ok, !fabrikamOnly.ok && fabrikamOnly.code], [false, 'ERR_EMAIL_DOMAIN_MISMATCH']);
  // a board that no longer admits the tenant: the post stays readable, the badge refuses the issuer
  const other = '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b';
  assert.equal((await web(config.issuers.map((i) => ({ ...i, tenants: [other] })))).ok, false);
  f.config.issuers[0]!.tenants = [other];
  try {
    const still = await f.app.inject({ method: 'GET', url: `/api/messages/${p.message.id}` });
    assert.equal(still.statusCode, 200, still.body);
    assert.equal((still.json() as MessageDetail).issuerKey.iss, ENTRA_ISS_TEMPLATE);
  } finally {
    delete f.config.issuers[0]!.tenants;
  }

  // veil verify-message over real HTTP, with the common key set pinned (--jwks FILE).
  await f.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(f.app.server.address() as { port: number }).port}`;
  const pinned = joinPath(mkdtempSync(joinPath(tmpdir(), 'veil-entra-')), 'common-jwks.json');
  writeFileSync(pinned, JSON.stringify({ keys: [testKey('server-entra').jwk] }));
  const v = await veil('verify-message', '--server', url, '--jwks', pinned, p.message.id);
  assert.equal(v.code, 0, v.stderr);
  const out = JSON.parse(v.stdout) as Record<string, unknown>;
  assert.deepEqual({ valid: out.valid, group: out.group, variant: out.variant, iss: out.iss, kid: out.kid, keySource: out.keySource },
    { valid: true, group: TEST_TENANT, variant: 'entra', iss: tenantIss(TEST_TENANT), kid: testKey('server-entra').jwk.kid, keySource: 'pinned' });
  assert.equal(out.emailDomain, 'contoso.example');
  // Asked for another email domain than the board's, verify-message refuses the post.
  const fabrikam = await veil('verify-message', '--server', url, '--jwks', pinned, '--email-domain', 'fabrikam.example', p.message.id);
  assert.equal(fabrikam.code, 1);
  assert.match(fabrikam.stderr, /^veil: ERR_EMAIL_DOMAIN_MISMATCH: email domain contoso\.example is not accepted \(required: fabrikam\.example\)$/m);
  // Without the flag it follows the board: one now naming only another email domain is refused too.
  ms.emailDomains = ['fabrikam.example'];
  const following = await veil('verify-message', '--server', url, '--jwks', pinned, p.message.id);
  assert.equal(following.code, 1);
  assert.match(following.stderr, /^veil: ERR_EMAIL_DOMAIN_MISMATCH: email domain contoso\.example is not accepted/m);
  delete ms.emailDomains;
});
