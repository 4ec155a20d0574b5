// POST /api/memberships with REAL proofs (one proof for the whole file; tampered variants are
// derived from it), verified by the real prover against the registry's key only. The board's issuer
// is Google configured for the google statement (Workspace hd): the proof is a membership-google one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { createBackend, verify, type Backend, type CircuitInfo, type MembershipBundle } from '@veil/prover';
import { proverVerifier } from '@veil/server';
import { mintGoogleToken, testKey } from '../../../crypto/test/fixtures/tokens.ts';
import { makeFixture, type Fixture } from '../app-fixture.ts';
import { newKey, signedPost } from '../helpers.ts';

let f: Fixture;
let backend: Backend;
let circuits: CircuitInfo[];
let bundle: MembershipBundle;
let eph: { secretKey: Uint8Array; publicKey: Uint8Array };

before(async () => {
  backend = await createBackend({ crs: 'test' });
  circuits = await (await import('@veil/prover/artifacts-node')).nodeArtifacts().circuits();
  f = await makeFixture({ verify: proverVerifier(backend), circuits: circuits.map((c) => c.id), issuer: { iss: 'https://accounts.google.com', kind: 'google', variant: 'google' } });
  // the issuer that signs the token publishes its key in the JWKS the registry reads
  f.issuer.set([testKey('server-proof').jwk as never]);
  await f.registry.refresh(f.issuer.iss);
  eph = generateEphemeralKey();
  const expiry = Math.floor(f.clock.t / 1000) + 5 * 86400;
  const salt = BigInt(`0x${randomBytes(16).toString('hex')}`);
  const { token, jwk } = await mintGoogleToken({
    epk: eph.publicKey, salt, expiry, keyId: 'server-proof',
    claims: { iss: f.issuer.iss, aud: f.issuer.aud, azp: f.issuer.aud, iat: expiry - 7 * 86400, exp: expiry - 7 * 86400 + 3600, nbf: expiry - 7 * 86400 - 300 },
  });
  bundle = await backend.prove({ token, jwk, epk: eph.publicKey, salt, expiry });
});
after(async () => {
  await f.close();
  await backend.destroy();
});

const code = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;
const join = (b: unknown) => f.app.inject({ method: 'POST', url: '/api/memberships', payload: b as object });

test('a real google bundle is verified against the registry key and stored; repeat is idempotent', async () => {
  assert.equal(bundle.variant, 'google');
  assert.equal(bundle.circuit.name, 'membership-google');
  const r = await join(bundle);
  assert.equal(r.statusCode, 201, r.body);
  assert.deepEqual({ ...(r.json() as object), createdAt: 0 }, {
    epk: bytesToHex(eph.publicKey), group: 'acme.com', iss: f.issuer.iss, kid: bundle.claims.kid, expiry: bundle.claims.expiry, circuitId: bundle.circuit.id, createdAt: 0,
  });
  const again = await join(bundle);
  assert.equal(again.statusCode, 200);
  // the same bundle with its fields in another order is the same registration
  const reordered = { proof: bundle.proof, claims: Object.fromEntries(Object.entries(bundle.claims).reverse()), crs: bundle.crs, circuit: bundle.circuit, variant: bundle.variant, v: 1 };
  assert.equal((await join(reordered)).statusCode, 200);
  // a post by that key, and a reader re-verifying it from the permalink alone
  const key = { secretKey: bytesToHex(eph.secretKey), publicKey: bytesToHex(eph.publicKey) };
  const p = signedPost(key, { group: 'acme.com', text: 'proved' }, f.clock.t);
  assert.equal((await f.app.inject({ method: 'POST', url: '/api/messages', payload: p })).statusCode, 201);
  const d = (await f.app.inject({ url: `/api/messages/${p.message.id}` })).json();
  const v = await verify(d.membership.bundle, { keys: [d.issuerKey.jwk] }, { iss: f.issuer.iss, aud: f.issuer.aud, domain: 'acme.com', now: Math.floor(f.clock.t / 1000), allowTestCrs: true }, { backend });
  assert.equal(v.epk, key.publicKey);
});

test('StealthNote: tampered claims, another key, a client-supplied key: refused, nothing stored', async () => {
  const other = newKey().publicKey;
  const cases: Array<[unknown, number]> = [
    [{ ...bundle, claims: { ...bundle.claims, epk: other } }, 422],
    [{ ...bundle, claims: { ...bundle.claims, domain: 'acme.co' } }, 422],
    [{ ...bundle, claims: { ...bundle.claims, expiry: bundle.claims.expiry + 1 } }, 422],
    [{ ...bundle, proof: Buffer.from(Buffer.from(bundle.proof, 'base64').map((b, i) => (i === 100 ? b ^ 1 : b))).toString('base64') }, 422],
    [{ ...bundle, jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } }, 400],
  ];
  for (const [b, status] of cases) {
    const r = await join(b);
    assert.equal(r.statusCode, status, r.body);
  }
  assert.equal(await f.storage.getMembership(other), null);
  // a registry that no longer has the key (issuer unknown kid) cannot verify new bundles
  const renamed = { ...bundle, claims: { ...bundle.claims, kid: 'not-in-registry', epk: other } };
  assert.equal(code(await join(renamed)), 'ERR_ISSUER_KEY_UNKNOWN');
});

test('a Google issuer configured for google refuses the weaker oidc statement before verifying', async () => {
  const oidc = circuits.find((c) => c.variant === 'oidc')!;
  const other = newKey().publicKey;
  // An email-domain proof, a bundle from before variants (none = oidc), the google proof relabelled:
  // not what this board admits (the prover's tests show the verifier binds the variant to the circuit).
  const relabelled = [{ ...bundle, variant: 'oidc', circuit: { name: oidc.name, id: oidc.id } }, (({ variant: _v, ...rest }) => rest)(bundle), { ...bundle, variant: 'oidc' }];
  for (const b of relabelled) {
    const r = await join({ ...b, claims: { ...b.claims, epk: other } });
    assert.equal(r.statusCode, 422, r.body);
    assert.equal(code(r), 'ERR_VARIANT_MISMATCH');
  }
  assert.equal(await f.storage.getMembership(other), null);
});
