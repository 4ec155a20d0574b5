// Real membership proofs (UltraHonk, test CRS, offline) over tokens minted with fresh RSA-2048 keys:
// a Google Workspace token (variant google, circuits/membership-google, chosen from iss) and a
// generic-issuer one (variant oidc, circuits/membership). One warm backend and two proofs for the
// whole file; every negative below is a verification of a tampered bundle, JWKS or expectation
// against those proofs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEphemeralKey, isVeilError } from '@veil/crypto';
import { mintGenericToken, mintGoogleToken, testKey } from '../../crypto/test/fixtures/tokens.ts';
import { createBackend, getTestCrsId, parseBundle, verify, type Backend, type MembershipBundle } from '../src/index.ts';
import { KEYS_DIR } from '../src/artifacts-node.ts';
import { readManifest } from '@veil/circuits/build';
import { runInChromium } from './lib/browser.ts';

const code = (c: string) => (e: unknown) => isVeilError(e, c) || assert.fail(`expected ${c}, got ${String(e)}`);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
/** Expectations that accept whatever `b` claims: the proof alone must then catch a tampered claim. */
const own = (b: MembershipBundle, allowTestCrs = true) => ({ iss: b.claims.iss, aud: b.claims.aud, allowTestCrs });
/** The bundle's header with some members replaced, re-encoded (base64url JSON). */
const headerWith = (b: MembershipBundle, members: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(b.claims.header!, 'base64url').toString()), ...members })).toString('base64url');

describe('membership proofs (test CRS)', () => {
  let backend: Backend;
  let google: MembershipBundle;
  let generic: MembershipBundle;
  let jwks: { keys: JsonWebKey[] };
  let googleToken: string;
  let googleEpk: Uint8Array;
  const other = testKey('prover-other').jwk;
  const expiry = Math.floor(Date.now() / 1000) + 7 * 86400;

  before(async () => {
    backend = await createBackend({ crs: 'test', threads: 2 });
    const g = generateEphemeralKey();
    const x = generateEphemeralKey();
    const mintedG = await mintGoogleToken({ epk: g.publicKey, salt: 7n, expiry, keyId: 'prover-google' });
    const mintedX = await mintGenericToken({ epk: x.publicKey, salt: 9n, expiry, keyId: 'prover-generic' });
    jwks = { keys: [mintedG.jwk, mintedX.jwk, other] };
    googleToken = mintedG.token;
    googleEpk = g.publicKey;
    google = await backend.prove({ token: mintedG.token, jwk: mintedG.jwk, epk: g.publicKey, salt: 7n, expiry });
    generic = await backend.prove({ token: mintedX.token, jwk: mintedX.jwk, epk: x.publicKey, salt: 9n, expiry });
  });
  after(() => backend?.destroy());

  it('proves and verifies a Google Workspace token with the google circuit (variant from iss), recorded in the bundle', async () => {
    assert.equal(google.v, 1);
    assert.equal(google.variant, 'google');
    assert.equal(google.circuit.name, 'membership-google');
    assert.equal(generic.variant, 'oidc');
    assert.equal(generic.circuit.name, 'membership');
    assert.deepEqual(google.crs, { id: getTestCrsId(), kind: 'test' });
    const claims = await backend.verify(google, jwks, { iss: 'https://accounts.google.com', aud: google.claims.aud, domain: 'acme.com', allowTestCrs: true });
    assert.equal(claims.domain, 'acme.com');
    assert.equal(claims.iss, 'https://accounts.google.com');
    assert.equal(claims.expiry, expiry);
    assert.deepEqual(claims.circuit, google.circuit);
    assert.equal(claims.variant, 'google');
    assert.equal((await backend.verify(google, jwks, { ...own(google), variant: ['entra', 'google'] })).variant, 'google');
  });

  it('the variant is bound to the circuit: relabelled, dropped, swapped or not accepted, it is refused', async () => {
    await assert.rejects(backend.verify(google, jwks, { ...own(google), variant: 'oidc' }), code('ERR_VARIANT_MISMATCH'));
    await assert.rejects(backend.verify(generic, jwks, { ...own(generic), variant: ['google'] }), code('ERR_VARIANT_MISMATCH'));
    const relabelled = clone(google);
    relabelled.variant = 'oidc';
    await assert.rejects(backend.verify(relabelled, jwks, own(relabelled)), code('ERR_BUNDLE_MALFORMED'));
    const { variant: _v, ...dropped } = clone(google);
    await assert.rejects(backend.verify(dropped, jwks, own(google)), code('ERR_BUNDLE_MALFORMED'));
    // The same 37 public inputs under the oidc circuit: its key does not verify the google proof.
    const swapped = clone(google);
    swapped.variant = 'oidc';
    swapped.circuit = clone(generic.circuit);
    await assert.rejects(backend.verify(swapped, jwks, own(swapped)), code('ERR_PROOF_INVALID'));
    const group = clone(google);
    group.circuit = { name: 'group', id: readManifest().circuits.find((c) => c.name === 'group')!.id! };
    await assert.rejects(backend.verify(group, jwks, own(group)), code('ERR_CIRCUIT_UNKNOWN'));
    assert.throws(() => parseBundle({ ...google, variant: 'microsoft' }), code('ERR_BUNDLE_MALFORMED'));
  });

  it('proving under another variant is refused by its pre-checks; a bad variant name is a TypeError', async () => {
    const input = { token: googleToken, jwk: jwks.keys[0]!, epk: googleEpk, salt: 7n, expiry };
    // entra proves (membership-entra.test.ts), but a Google token's iss is no tenant's
    await assert.rejects(backend.prove({ ...input, variant: 'entra' }), code('ERR_CLAIM_INVALID'));
    await assert.rejects(backend.prove({ ...input, variant: 'microsoft' as never }), TypeError);
    // google: the pre-checks name the missing hd (the circuit's own refusals: circuits/test/membership-google.test.ts)
    const consumer = await mintGoogleToken({ epk: googleEpk, salt: 7n, expiry, keyId: 'prover-google', claims: { hd: undefined } });
    await assert.rejects(backend.prove({ ...input, token: consumer.token, jwk: consumer.jwk }), code('ERR_CLAIM_MISSING'));
  });

  it('proves and verifies a generic issuer token (other claim order, spacing, non-ASCII name)', async () => {
    const claims = await backend.verify(generic, jwks, { iss: 'https://id.example.org/realms/main', aud: ['x', 'veil-board'], domain: 'example.org', allowTestCrs: true });
    assert.equal(claims.aud, 'veil-board');
  });

  it('rejects every tampered claim (public inputs are rebuilt from them)', async () => {
    const tampered: Array<[string, (b: MembershipBundle) => void]> = [
      ['iss', (b) => (b.claims.iss = 'https://accounts.google.co')],
      ['aud', (b) => (b.claims.aud = `${b.claims.aud}x`)],
      ['domain', (b) => (b.claims.domain = 'acme.co')],
      ['epk', (b) => (b.claims.epk = Buffer.from(generateEphemeralKey().publicKey).toString('hex'))], // another valid key
      ['expiry', (b) => (b.claims.expiry += 1)],
      // The header names the key: another kid needs another header, which the proof does not fit.
      ['kid and header -> another key', (b) => { b.claims.kid = other.kid; b.claims.header = headerWith(b, { kid: other.kid }); }],
      ['kid and header -> the other issuer key', (b) => { b.claims.kid = generic.claims.kid; b.claims.header = headerWith(b, { kid: generic.claims.kid }); }],
      ['header (typ)', (b) => (b.claims.header = headerWith(b, { typ: 'at+jwt' }))],
    ];
    for (const [what, edit] of tampered) {
      const b = clone(google);
      edit(b);
      await assert.rejects(backend.verify(b, jwks, own(b)), code('ERR_PROOF_INVALID'), what);
    }
    // kid alone: the header still names the signing key (refused before the proof is checked).
    const kid = clone(google);
    kid.claims.kid = other.kid;
    await assert.rejects(backend.verify(kid, jwks, own(kid)), code('ERR_KEY_MISMATCH'));
    for (const header of [headerWith(google, { alg: 'RS512' }), undefined]) {
      const b = clone(google);
      if (header === undefined) delete b.claims.header;
      else b.claims.header = header;
      await assert.rejects(backend.verify(b, jwks, own(b)), code(header ? 'ERR_TOKEN_ALG' : 'ERR_BUNDLE_MALFORMED'));
    }
  });

  it('rejects tampered proof bytes', async () => {
    const raw = Buffer.from(google.proof, 'base64');
    for (const at of [0, 31, 32 * 20 + 5, raw.length - 1]) {
      const b = clone(google);
      const bad = Buffer.from(raw);
      bad[at]! ^= 0x01;
      b.proof = bad.toString('base64');
      await assert.rejects(backend.verify(b, jwks, own(b)), code('ERR_PROOF_INVALID'), `byte ${at}`);
    }
    const truncated = clone(google);
    truncated.proof = raw.subarray(0, raw.length - 32).toString('base64');
    await assert.rejects(backend.verify(truncated, jwks, own(truncated)), code('ERR_BUNDLE_MALFORMED'));
  });

  it('rejects a JWKS whose key under that kid is another key', async () => {
    const swapped = { keys: [{ ...other, kid: google.claims.kid }] };
    await assert.rejects(backend.verify(google, swapped, own(google)), code('ERR_PROOF_INVALID'));
    await assert.rejects(backend.verify(google, { keys: [other] }, own(google)), code('ERR_KEY_UNKNOWN'));
  });

  it('rejects a test-CRS bundle in production mode, and an unknown test CRS', async () => {
    await assert.rejects(backend.verify(google, jwks, own(google, false)), code('ERR_CRS_NOT_ACCEPTED'));
    const b = clone(google);
    b.crs.id = `test-${'0'.repeat(64)}`;
    await assert.rejects(backend.verify(b, jwks, own(b)), code('ERR_CRS_NOT_ACCEPTED'));
    const relabelled = clone(google);
    relabelled.crs = { id: 'aztec-ignition', kind: 'test' };
    await assert.rejects(backend.verify(relabelled, jwks, own(relabelled)), code('ERR_CRS_NOT_ACCEPTED'));
  });

  it('rejects an unknown circuit id or name', async () => {
    const b = clone(google);
    b.circuit.id = 'ab'.repeat(32);
    await assert.rejects(backend.verify(b, jwks, own(b)), code('ERR_CIRCUIT_UNKNOWN'));
    const n = clone(google);
    n.circuit.name = 'membership-entra';
    await assert.rejects(backend.verify(n, jwks, own(n)), code('ERR_CIRCUIT_UNKNOWN'));
  });

  it("enforces the verifier's expectations and the expiry", async () => {
    const opts = own(google);
    await assert.rejects(backend.verify(google, jwks, { ...opts, iss: 'https://id.example.org/realms/main' }), code('ERR_ISS_MISMATCH'));
    await assert.rejects(backend.verify(google, jwks, { ...opts, aud: 'veil-board' }), code('ERR_AUD_MISMATCH'));
    await assert.rejects(backend.verify(google, jwks, { ...opts, domain: ['example.org', 'cme.com'] }), code('ERR_DOMAIN_MISMATCH'));
    await assert.rejects(backend.verify(google, jwks, { ...opts, now: expiry }), code('ERR_PROOF_EXPIRED'));
    assert.equal((await backend.verify(google, jwks, { ...opts, now: expiry - 1 })).expiry, expiry);
  });

  it('one-shot verify() (its own backend, destroyed after) agrees', async () => {
    assert.equal((await verify(google, jwks, own(google), { crs: 'test' })).domain, 'acme.com');
    await assert.rejects(verify(google, jwks, own(google, false)), code('ERR_CRS_NOT_ACCEPTED'));
  });

  it('issue 8, finding 3: iss and aud are mandatory; anyAudience (diagnostics) is the only way around aud', async () => {
    const { iss, aud } = google.claims;
    for (const expect of [{ allowTestCrs: true }, { iss, allowTestCrs: true }, { aud, allowTestCrs: true }, { iss: 7, aud }, { iss, aud: [1] }, { iss, aud, anyAudience: true }, undefined, null]) {
      await assert.rejects(backend.verify(google, jwks, expect as never), TypeError, JSON.stringify(expect));
    }
    // a token minted for another client of the same issuer: refused once aud is pinned
    await assert.rejects(backend.verify(google, jwks, { iss, aud: 'another-client.apps.googleusercontent.com', allowTestCrs: true }), code('ERR_AUD_MISMATCH'));
    assert.equal((await backend.verify(google, jwks, { iss, anyAudience: true, allowTestCrs: true })).aud, aud);
  });

  it('refuses to prove under the wrong issuer key: pre-checks, and the circuit alone (unchecked)', async () => {
    const input = { token: googleToken, jwk: { ...other, kid: google.claims.kid }, epk: googleEpk, salt: 7n, expiry };
    await assert.rejects(backend.prove(input), code('ERR_SIGNATURE_INVALID'));
    await assert.rejects(backend.prove({ ...input, unchecked: true }), code('ERR_STATEMENT_UNSATISFIED'));
    await assert.rejects(backend.prove({ ...input, jwk: jwks.keys[0]!, salt: 8n, unchecked: true }), code('ERR_STATEMENT_UNSATISFIED'));
  });

  it('rejects malformed bundles and JWKS before touching the backend', async () => {
    const opts = own(google);
    for (const b of [null, {}, { ...google, v: 2 }, { ...google, proof: '***' }, { ...google, claims: { ...google.claims, epk: 'zz' } }]) {
      await assert.rejects(backend.verify(b, jwks, opts), code('ERR_BUNDLE_MALFORMED'));
    }
    const quote = clone(google);
    quote.claims.domain = 'acme.com"';
    await assert.rejects(backend.verify(quote, jwks, opts), code('ERR_BUNDLE_MALFORMED'));
    await assert.rejects(backend.verify(google, { keys: 'x' }, opts), code('ERR_JWKS_MALFORMED'));
    // issue 8, finding 1: the circuit binds any 32 bytes, so a small-order epk is refused up front
    for (const epk of ['01' + '00'.repeat(31), 'ec' + 'ff'.repeat(30) + '7f', 'ee' + 'ff'.repeat(30) + '7f']) {
      await assert.rejects(backend.verify({ ...google, claims: { ...google.claims, epk } }, jwks, opts), code('ERR_EPK_INVALID'));
    }
  });

  it('verifies in headless Chromium (browser build, no Node built-ins) with the same claims', async () => {
    const crsId = getTestCrsId();
    const key = JSON.parse(readFileSync(join(KEYS_DIR, `${google.circuit.name}.${crsId}.json`), 'utf8')) as { circuit: { name: string; id: string }; vk: string };
    const entry = `
import { createBackend, staticArtifacts } from '@veil/prover';
globalThis.run = async ({ bundle, jwks, circuit, vk, crsId }) => {
  const keys = { [crsId]: Uint8Array.from(atob(vk), (c) => c.charCodeAt(0)) };
  const backend = await createBackend({ crs: 'test', artifacts: staticArtifacts([{ ...circuit, keys }]), threads: 1 });
  const code = (p) => p.then(() => 'accepted', (e) => e.code ?? String(e));
  try {
    const expect = { iss: bundle.claims.iss, aud: bundle.claims.aud };
    const claims = await backend.verify(bundle, jwks, { ...expect, allowTestCrs: true });
    const bad = structuredClone(bundle); bad.claims.domain = 'acme.co';
    return {
      claims,
      tampered: await code(backend.verify(bad, jwks, { ...expect, allowTestCrs: true })),
      production: await code(backend.verify(bundle, jwks, expect)),
      hasBuffer: typeof globalThis.Buffer !== 'undefined',
    };
  } finally { await backend.destroy(); }
};`;
    const out = await runInChromium<{ claims: unknown; tampered: string; production: string; hasBuffer: boolean }>(entry, {
      bundle: google,
      jwks,
      circuit: { ...key.circuit, variant: 'google', publicHeader: true },
      vk: key.vk,
      crsId,
    });
    assert.deepEqual(out.claims, await backend.verify(google, jwks, own(google)));
    assert.equal(out.tampered, 'ERR_PROOF_INVALID');
    assert.equal(out.production, 'ERR_CRS_NOT_ACCEPTED');
    assert.equal(out.hasBuffer, false);
  });

  it('ships the test-CRS verification key of every current membership circuit (verify works offline without recomputing)', () => {
    const current = readManifest().circuits.filter((c) => c.kind === 'membership' && (c.status ?? 'current') === 'current');
    assert.deepEqual(current.map((c) => c.variant).sort(), ['entra', 'google', 'oidc']);
    for (const { name, id } of current) {
      const file = JSON.parse(readFileSync(join(KEYS_DIR, `${name}.${getTestCrsId()}.json`), 'utf8')) as { circuit: { id: string } };
      assert.equal(file.circuit.id, id, `${name}: run npm run build:keys and commit circuits/keys/`);
    }
  });
});
