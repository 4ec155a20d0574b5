// The public JWS header (every membership statement): what a verifier recomputes from the header a
// bundle carries (publicHeaderValues, encodeEntraPublicInputs, encodePublicInputs) equals what the
// prover put in the circuit's inputs, and a header with another alg or kid, the consumer tenant or a
// non-GUID tenant is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildInputs } from '../src/build-inputs.ts';
import { generateEphemeralKey } from '../src/generate-ephemeral-key.ts';
import { checkPublicHeader, publicHeaderValues, HEADER_TAIL_BYTES } from '../src/public-header.ts';
import { encodeEntraPublicInputs, encodePublicInputs } from '../src/public-inputs.ts';
import { isVeilError } from '../src/errors.ts';
import { sha256PrefixState } from '../src/lib/sha256-state.ts';
import { packBytes, fieldHex } from '../src/lib/pack.ts';
import { base64urlEncode } from '../src/lib/base64url.ts';
import { ENTRA_CONSUMER_TENANT } from '../src/lib/entra-tenant.ts';
import { mintEntraToken, mintGoogleToken, TEST_TENANT } from './fixtures/tokens.ts';

const { publicKey: epk } = generateEphemeralKey();
const salt = 3n;
const expiry = 1767225600;
const h64 = (h: unknown) => base64urlEncode(new TextEncoder().encode(JSON.stringify(h)));

test('public header: the verifier encodes exactly the inputs the prover built (46 fields, circuit order)', async () => {
  const m = await mintEntraToken({ epk, salt, expiry });
  for (const emailDomain of ['', 'contoso.example']) {
    const { inputs: i, publicClaims: c } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'entra', ...(emailDomain ? { emailDomain } : {}) });
    assert.equal(c.emailDomain, emailDomain);
    const pub = encodeEntraPublicInputs({ jwk: m.jwk, aud: c.aud, tenant: c.domain, emailDomain: c.emailDomain, epk, expiry: c.expiry, header: c.header });
    const n = (x: number | string) => fieldHex(BigInt(x));
    const abi = [...i.modulus, ...i.aud, n(i.aud_len), ...i.tenant, ...i.email_domain, n(i.email_domain_len), i.epk_hi, i.epk_lo, n(i.expiry),
      ...i.header_state.map(n), n(i.header_prefix_len), ...i.header_tail, n(i.header_tail_len)];
    assert.equal(pub.length, 46);
    assert.deepEqual(pub, abi);
  }
});

test('public header: prefix and tail for every header length (tail 3..66 characters, prefix whole blocks)', () => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let len = 3; len <= 400; len++) {
    let h = '';
    for (let i = 0; i < len; i++) h += chars[(i * 7 + len) % 64];
    const v = publicHeaderValues(h);
    const tail = h.length - v.header_prefix_len;
    assert.equal(v.header_prefix_len % 64, 0);
    assert.ok(tail >= 3 && tail <= HEADER_TAIL_BYTES, `${len}`);
    assert.equal(v.header_tail_len, tail);
    const ascii = new TextEncoder().encode(h);
    assert.deepEqual(v.header_state, Array.from(sha256PrefixState(ascii.subarray(0, v.header_prefix_len))));
    assert.deepEqual(v.header_tail, packBytes(ascii.subarray(v.header_prefix_len), 3));
  }
  assert.throws(() => publicHeaderValues('ab'), TypeError);
  assert.throws(() => publicHeaderValues('eyJ.x'), TypeError);
});

test('public header: a header with another alg or kid, or none, is refused; so are the consumer and non-GUID tenants', async () => {
  const m = await mintEntraToken({ epk, salt, expiry });
  const { publicClaims: c } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'entra' });
  const ok = { jwk: m.jwk as JsonWebKey, aud: c.aud, tenant: c.domain, emailDomain: '', epk, expiry, header: c.header };
  assert.equal(checkPublicHeader(c.header, m.jwk).kid, m.jwk.kid);
  const refused = (p: typeof ok, code: string, what: string) => assert.throws(() => encodeEntraPublicInputs(p), (e) => isVeilError(e, code), what);
  refused({ ...ok, header: h64({ typ: 'JWT', alg: 'RS384', kid: m.jwk.kid }) }, 'ERR_TOKEN_ALG', 'RS384');
  refused({ ...ok, header: h64({ typ: 'JWT', alg: 'none', kid: m.jwk.kid }) }, 'ERR_TOKEN_ALG', 'none');
  refused({ ...ok, header: h64({ typ: 'JWT', kid: m.jwk.kid }) }, 'ERR_TOKEN_ALG', 'no alg');
  refused({ ...ok, header: h64({ typ: 'JWT', alg: 'RS256', kid: `${m.jwk.kid}x` }) }, 'ERR_KEY_MISMATCH', 'another kid');
  refused({ ...ok, header: h64({ typ: 'JWT', alg: 'RS256' }) }, 'ERR_KEY_MISMATCH', 'no kid');
  refused({ ...ok, jwk: { ...m.jwk, kid: undefined } as JsonWebKey }, 'ERR_KEY_MISMATCH', 'key without kid');
  refused({ ...ok, header: h64(['RS256']) }, 'ERR_TOKEN_MALFORMED', 'array');
  refused({ ...ok, header: 'e30.' }, 'ERR_TOKEN_MALFORMED', 'not base64url');
  refused({ ...ok, header: base64urlEncode(new Uint8Array([0xff, 0xfe, 0x7b])) }, 'ERR_TOKEN_MALFORMED', 'not UTF-8');
  refused({ ...ok, tenant: ENTRA_CONSUMER_TENANT }, 'ERR_TENANT_CONSUMER', 'consumer tenant');
  refused({ ...ok, tenant: TEST_TENANT.toUpperCase() }, 'ERR_CLAIM_INVALID', 'uppercase tenant');
  refused({ ...ok, tenant: 'contoso.onmicrosoft.com' }, 'ERR_CLAIM_INVALID', 'tenant name');
  assert.throws(() => encodeEntraPublicInputs({ ...ok, emailDomain: 'a@b' }), TypeError);
});

test('public header: the oidc / google encoder checks the header as the entra one does; without one it gives the 37 inputs of the circuits from before', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  const { inputs, publicClaims: c } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'google' });
  const ok = { jwk: m.jwk as JsonWebKey, iss: c.iss, aud: c.aud, domain: c.domain, epk, expiry, header: c.header };
  const pub = encodePublicInputs(ok);
  assert.deepEqual(pub.slice(37).map(BigInt), [...inputs.header_state, inputs.header_prefix_len, ...inputs.header_tail, inputs.header_tail_len].map(BigInt));
  const refused = (p: typeof ok, code: string, what: string) => assert.throws(() => encodePublicInputs(p), (e) => isVeilError(e, code), what);
  refused({ ...ok, header: h64({ alg: 'RS384', kid: m.jwk.kid, typ: 'JWT' }) }, 'ERR_TOKEN_ALG', 'RS384');
  refused({ ...ok, header: h64({ alg: 'RS256', kid: `${m.jwk.kid}x`, typ: 'JWT' }) }, 'ERR_KEY_MISMATCH', 'another kid');
  refused({ ...ok, header: h64({ alg: 'RS256', typ: 'JWT' }) }, 'ERR_KEY_MISMATCH', 'no kid');
  const { header: _h, ...legacy } = ok;
  assert.deepEqual(encodePublicInputs(legacy), pub.slice(0, 37));
});
