// A real entra membership proof (UltraHonk, test CRS, offline) over an organisation-tenant token
// minted with a fresh RSA-2048 key in Microsoft's claim order, binding the email domain through
// xms_edov "1". One proof for the file; every negative is a verification of a tampered bundle or JWKS:
// the public header (another alg or kid, or another header altogether), the tenant and its iss, the
// consumer tenant, the bound email domain.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENTRA_CONSUMER_TENANT, generateEphemeralKey, isVeilError } from '@veil/crypto';
import { mintEntraToken, TEST_TENANT } from '../../crypto/test/fixtures/tokens.ts';
import { base64urlDecode, base64urlEncode } from '../../crypto/src/lib/base64url.ts';
import { createBackend, type Backend, type MembershipBundle } from '../src/index.ts';
import { readManifest } from '@veil/circuits/build';

const code = (c: string) => (e: unknown) => isVeilError(e, c) || assert.fail(`expected ${c}, got ${String(e)}`);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const issuer = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;
const OTHER_TENANT = '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b';

describe('entra membership proof (test CRS)', () => {
  let backend: Backend;
  let bundle: MembershipBundle;
  let jwks: { keys: JsonWebKey[] };
  const expiry = Math.floor(Date.now() / 1000) + 7 * 86400;
  const own = (b: MembershipBundle) => ({ iss: b.claims.iss, aud: b.claims.aud, allowTestCrs: true });
  /** The bundle's header with `patch` applied, re-encoded. */
  const header = (patch: Record<string, unknown>) => {
    const h = JSON.parse(new TextDecoder().decode(base64urlDecode(bundle.claims.header!))) as Record<string, unknown>;
    return base64urlEncode(new TextEncoder().encode(JSON.stringify({ ...h, ...patch })));
  };

  before(async () => {
    backend = await createBackend({ crs: 'test', threads: 2 });
    const k = generateEphemeralKey();
    const m = await mintEntraToken({ epk: k.publicKey, salt: 11n, expiry, keyId: 'prover-entra' });
    jwks = { keys: [m.jwk] };
    bundle = await backend.prove({ token: m.token, jwk: m.jwk, epk: k.publicKey, salt: 11n, expiry, emailDomain: 'contoso.example' });
  });
  after(() => backend?.destroy());

  it('proves the tenant (variant from iss) with the public header and the bound email domain, and verifies', async () => {
    assert.equal(bundle.variant, 'entra');
    assert.equal(bundle.circuit.name, 'membership-entra');
    assert.equal(bundle.circuit.id, readManifest().circuits.find((c) => c.name === 'membership-entra')!.id);
    assert.equal(bundle.claims.domain, TEST_TENANT);
    assert.equal(bundle.claims.emailDomain, 'contoso.example');
    const v = await backend.verify(bundle, jwks, { iss: issuer(TEST_TENANT), aud: bundle.claims.aud, domain: TEST_TENANT, variant: 'entra', allowTestCrs: true });
    assert.equal(v.variant, 'entra');
    assert.equal(v.domain, TEST_TENANT);
    assert.equal(v.emailDomain, 'contoso.example');
    await assert.rejects(backend.verify(bundle, jwks, { ...own(bundle), domain: OTHER_TENANT }), code('ERR_DOMAIN_MISMATCH'));
  });

  it('expect.emailDomain: the bound domain (or a list holding it) verifies; another one, or a bundle binding none, is ERR_EMAIL_DOMAIN_MISMATCH', async () => {
    assert.equal((await backend.verify(bundle, jwks, { ...own(bundle), emailDomain: 'contoso.example' })).emailDomain, 'contoso.example');
    assert.equal((await backend.verify(bundle, jwks, { ...own(bundle), emailDomain: ['fabrikam.example', 'contoso.example'] })).emailDomain, 'contoso.example');
    await assert.rejects(backend.verify(bundle, jwks, { ...own(bundle), emailDomain: 'fabrikam.example' }), code('ERR_EMAIL_DOMAIN_MISMATCH'));
    // Refused on the claims, before the proof: without the domain the bundle would not verify anyway.
    const { emailDomain: _e, ...unbound } = clone(bundle).claims;
    await assert.rejects(backend.verify({ ...bundle, claims: unbound }, jwks, { ...own(bundle), emailDomain: 'contoso.example' }), code('ERR_EMAIL_DOMAIN_MISMATCH'));
    await assert.rejects(backend.verify(bundle, jwks, { ...own(bundle), emailDomain: 42 as never }), TypeError);
  });

  it('a bundle whose header says another alg or kid is refused; another header with the same alg and kid does not verify', async () => {
    const cases: Array<[string, string, string]> = [
      ['alg RS384', header({ alg: 'RS384' }), 'ERR_TOKEN_ALG'],
      ['alg none', header({ alg: 'none' }), 'ERR_TOKEN_ALG'],
      ['another kid', header({ kid: 'another-kid' }), 'ERR_KEY_MISMATCH'],
      ['no kid', header({ kid: undefined }), 'ERR_KEY_MISMATCH'],
      ['typ changed (alg and kid fine)', header({ typ: 'at+jwt' }), 'ERR_PROOF_INVALID'],
      ['a member added', header({ x5t: 'abc' }), 'ERR_PROOF_INVALID'],
    ];
    for (const [what, h, c] of cases) {
      const b = clone(bundle);
      b.claims.header = h;
      await assert.rejects(backend.verify(b, jwks, own(b)), code(c), what);
    }
    // The kid the bundle names selects the key; a header naming that kid on another key is the key's kid, not the signer's.
    const renamed = clone(bundle);
    renamed.claims.kid = 'renamed';
    await assert.rejects(backend.verify(renamed, { keys: [{ ...jwks.keys[0]!, kid: 'renamed' }] }, own(renamed)), code('ERR_KEY_MISMATCH'));
    const { header: _h, ...noHeader } = clone(bundle).claims;
    await assert.rejects(backend.verify({ ...bundle, claims: noHeader }, jwks, own(bundle)), code('ERR_BUNDLE_MALFORMED'));
  });

  it('the tenant, its iss, the consumer tenant and the email domain are bound', async () => {
    const tampered: Array<[string, (b: MembershipBundle) => void, string]> = [
      ['another tenant (with its iss)', (b) => { b.claims.domain = OTHER_TENANT; b.claims.iss = issuer(OTHER_TENANT); }, 'ERR_PROOF_INVALID'],
      ['iss of another tenant', (b) => { b.claims.iss = issuer(OTHER_TENANT); }, 'ERR_BUNDLE_MALFORMED'],
      ['iss of v1.0', (b) => { b.claims.iss = `https://sts.windows.net/${TEST_TENANT}/`; }, 'ERR_BUNDLE_MALFORMED'],
      ['the consumer tenant', (b) => { b.claims.domain = ENTRA_CONSUMER_TENANT; b.claims.iss = issuer(ENTRA_CONSUMER_TENANT); }, 'ERR_TENANT_CONSUMER'],
      ['tenant uppercase', (b) => { b.claims.domain = TEST_TENANT.toUpperCase(); b.claims.iss = issuer(TEST_TENANT.toUpperCase()); }, 'ERR_CLAIM_INVALID'],
      ['email domain dropped', (b) => { delete b.claims.emailDomain; }, 'ERR_PROOF_INVALID'],
      ['another email domain', (b) => { b.claims.emailDomain = 'fabrikam.example'; }, 'ERR_PROOF_INVALID'],
      ['aud', (b) => { b.claims.aud = `${b.claims.aud}x`; }, 'ERR_PROOF_INVALID'],
      ['expiry', (b) => { b.claims.expiry += 1; }, 'ERR_PROOF_INVALID'],
    ];
    for (const [what, edit, c] of tampered) {
      const b = clone(bundle);
      edit(b);
      await assert.rejects(backend.verify(b, jwks, own(b)), code(c), what);
    }
    // Relabelled as the oidc statement under the oidc circuit: the header it carries belongs to no other variant.
    const oidc = clone(bundle);
    oidc.variant = 'oidc';
    oidc.circuit = { name: 'membership', id: readManifest().circuits.find((c) => c.name === 'membership' && (c.status ?? 'current') === 'current')!.id! };
    await assert.rejects(backend.verify(oidc, jwks, own(oidc)), code('ERR_BUNDLE_MALFORMED'));
  });
});
