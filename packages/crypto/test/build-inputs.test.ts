import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { buildInputs } from '../src/build-inputs.ts';
import { generateEphemeralKey } from '../src/generate-ephemeral-key.ts';
import { encodePublicInputs } from '../src/public-inputs.ts';
import { MEMBERSHIP_PARAMS } from '../src/membership-params.ts';
import { mintGoogleToken, mintGenericToken, mintEntraToken, testKey, signJws, TEST_TENANT } from './fixtures/tokens.ts';

const { publicKey: epk } = generateEphemeralKey();
const salt = 99n;
const expiry = 1767225600;

test('buildInputs: inputs match the ABI shape and the public claims', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  const { inputs, publicClaims } = await buildInputs(m.token, m.jwk, epk, salt, expiry);
  assert.equal(inputs.data.length, MEMBERSHIP_PARAMS.dataBytes);
  assert.equal(inputs.header_prefix_len % 64, 0);
  assert.equal(inputs.data[inputs.header_tail_len], 0x2e);
  assert.ok(inputs.header_tail_len >= 3);
  assert.equal(inputs.modulus.length, 18);
  assert.equal(inputs.signature.length, 18);
  assert.deepEqual(publicClaims, {
    iss: 'https://accounts.google.com',
    aud: '1234567890-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com',
    domain: 'acme.com',
    epk: Buffer.from(epk).toString('hex'),
    expiry,
    kid: m.jwk.kid,
    header: m.token.split('.')[0],
  });
  const pub = encodePublicInputs({ jwk: m.jwk, iss: publicClaims.iss, aud: publicClaims.aud, domain: 'acme.com', epk, expiry, header: publicClaims.header });
  assert.equal(pub.length, 50);
  assert.deepEqual(pub.slice(0, 18), inputs.modulus);
  assert.deepEqual(pub.slice(18, 23), inputs.iss);
  assert.equal(BigInt(pub[23]!), BigInt(inputs.iss_len));
  assert.equal(BigInt(pub[36]!), BigInt(expiry));
  assert.deepEqual(pub.slice(37, 45).map(Number), inputs.header_state);
  assert.equal(Number(pub[45]), inputs.header_prefix_len);
  assert.deepEqual(pub.slice(46, 49), inputs.header_tail);
  assert.equal(Number(pub[49]), inputs.header_tail_len);
  for (const x of pub) assert.match(x, /^0x[0-9a-f]{64}$/);
  // A circuit from before the public header: the same first 37.
  assert.deepEqual(encodePublicInputs({ jwk: m.jwk, iss: publicClaims.iss, aud: publicClaims.aud, domain: 'acme.com', epk, expiry }), pub.slice(0, 37));
});

async function code(p: Promise<unknown>, c: string): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => e.code === c);
}

test('buildInputs: each failed pre-check has its own code', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  await code(buildInputs('a.b', m.jwk, epk, salt, expiry), 'ERR_TOKEN_MALFORMED');
  await code(buildInputs(m.token.replace('.', '.*'), m.jwk, epk, salt, expiry), 'ERR_TOKEN_MALFORMED');
  const hs = await mintGoogleToken({ epk, salt, expiry, header: { alg: 'HS256' } });
  await code(buildInputs(hs.token, hs.jwk, epk, salt, expiry), 'ERR_TOKEN_ALG');
  await code(buildInputs(m.token, { ...m.jwk, kid: 'other' } as JsonWebKey, epk, salt, expiry), 'ERR_KEY_MISMATCH');
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }) as JsonWebKey;
  await code(buildInputs(m.token, small, epk, salt, expiry), 'ERR_KEY_SIZE');
  await code(buildInputs(m.token, { ...m.jwk, e: 'Aw' }, epk, salt, expiry), 'ERR_KEY_EXPONENT');
  const other = testKey('other-key').jwk;
  await code(buildInputs(m.token, { ...other, kid: m.jwk.kid } as JsonWebKey, epk, salt, expiry), 'ERR_SIGNATURE_INVALID');
  const cases: [Record<string, unknown>, string, { domain?: string }?][] = [
    [{ email: undefined }, 'ERR_CLAIM_MISSING'],
    [{ iss: undefined }, 'ERR_CLAIM_MISSING'],
    [{ aud: ['a', 'b'] }, 'ERR_CLAIM_INVALID'],
    [{ iat: undefined }, 'ERR_CLAIM_MISSING'],
    [{ iat: 1.5 }, 'ERR_CLAIM_INVALID'],
    [{ email_verified: undefined }, 'ERR_CLAIM_MISSING'],
    [{ email_verified: false }, 'ERR_EMAIL_UNVERIFIED'],
    [{ email_verified: 'true' }, 'ERR_EMAIL_UNVERIFIED'],
    [{ email: 'a@b@acme.com' }, 'ERR_CLAIM_INVALID'],
    [{}, 'ERR_DOMAIN_MISMATCH', { domain: 'acme.co' }],
    [{ nonce: 'f'.repeat(64) }, 'ERR_NONCE_MISMATCH'],
    [{ iat: expiry - 14 * 86400 - 1 }, 'ERR_EXPIRY_TOO_FAR'],
    [{ iss: 'https://x/' + 'a'.repeat(130) }, 'ERR_CLAIM_TOO_LONG'],
    [{ aud: 'a\\"b' }, 'ERR_CLAIM_INVALID'],
    [{ picture: 'x'.repeat(500) }, 'ERR_TOKEN_TOO_LONG'],
    [{ x: [[[[[['deep']]]]]] }, 'ERR_TOKEN_TOO_DEEP'],
  ];
  for (const [claims, c, opts] of cases) {
    const t = await mintGoogleToken({ epk, salt, expiry, claims });
    await code(buildInputs(t.token, t.jwk, epk, salt, expiry, opts), c);
  }
});

test('buildInputs: unchecked still encodes a token that fails the pre-checks', async () => {
  const t = await mintGoogleToken({ epk, salt, expiry, claims: { email_verified: false, email: 'a@acme.co' } });
  const { inputs } = await buildInputs(t.token, t.jwk, epk, salt, expiry, { unchecked: true, domain: 'acme.com' });
  assert.equal(inputs.domain_len, 8);
});

test('buildInputs: caller mistakes are TypeErrors', async () => {
  const m = await mintGenericToken({ epk, salt, expiry });
  await assert.rejects(buildInputs(m.token, m.jwk, epk.subarray(1), salt, expiry), TypeError);
  await assert.rejects(buildInputs(m.token, m.jwk, epk, -1n, expiry), TypeError);
  await assert.rejects(buildInputs(m.token, m.jwk, epk, 1n << 254n, expiry), TypeError);
  await assert.rejects(buildInputs(m.token, m.jwk, epk, salt, 1.5), TypeError);
});

test('buildInputs: a generic token is accepted, its signing input is split inside the header', async () => {
  const { privateKey, jwk } = testKey();
  const m = await mintGenericToken({ epk, salt, expiry });
  const payload = Buffer.from(m.token.split('.')[1]!, 'base64url').toString();
  const long = signJws({ alg: 'RS256', kid: jwk.kid, x5t: 'y'.repeat(150) }, payload, privateKey);
  for (const token of [m.token, long]) {
    const { inputs } = await buildInputs(token, jwk, epk, salt, expiry);
    assert.ok(inputs.header_prefix_len <= token.indexOf('.') - 3);
  }
});

test('buildInputs: duplicate top-level claim keys are refused, also escaped and with unchecked (ERR_TOKEN_DUPLICATE_CLAIM)', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  const text = Buffer.from(m.token.split('.')[1]!, 'base64url').toString();
  const withExtra = (member: string) => `${text.slice(0, -1)},${member}}`;
  for (const raw of [
    withExtra('"email":"alice@evil.example"'), // JSON.parse keeps this one; the prover could point at either
    `{"email":"alice@evil.example",${text.slice(1)}`,
    withExtra('"em\\u0061il":"alice@evil.example"'),
    withExtra('"name":"Mallory"'),
  ]) {
    const t = await mintGoogleToken({ epk, salt, expiry, rawPayload: raw });
    await code(buildInputs(t.token, t.jwk, epk, salt, expiry), 'ERR_TOKEN_DUPLICATE_CLAIM');
    await code(buildInputs(t.token, t.jwk, epk, salt, expiry, { unchecked: true }), 'ERR_TOKEN_DUPLICATE_CLAIM');
  }
  // a repeated key inside a nested object is not a claim the circuit reads
  const nested = await mintGoogleToken({ epk, salt, expiry, rawPayload: withExtra('"x":{"a":1,"a":2}') });
  await buildInputs(nested.token, nested.jwk, epk, salt, expiry);
});

test('buildInputs entra: the tenant pre-checks have their codes; emailDomain is entra-only', async () => {
  const consumer = '9188040d-6c67-4c5b-b112-36a304b66dad';
  const cases: [Record<string, unknown>, string, { domain?: string; emailDomain?: string }?][] = [
    [{ tid: consumer }, 'ERR_TENANT_CONSUMER'],
    [{ iss: 'https://login.microsoftonline.com/0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b/v2.0' }, 'ERR_CLAIM_INVALID'],
    [{ ver: '1.0' }, 'ERR_CLAIM_INVALID'],
    [{ tid: undefined }, 'ERR_CLAIM_INVALID'], // iss is checked first: it names no tid
    [{}, 'ERR_DOMAIN_MISMATCH', { domain: '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b' }],
    [{ xms_edov: '0' }, 'ERR_EMAIL_UNVERIFIED', { emailDomain: 'contoso.example' }],
    [{}, 'ERR_DOMAIN_MISMATCH', { emailDomain: 'fabrikam.example' }],
  ];
  for (const [claims, c, opts] of cases) {
    const t = await mintEntraToken({ epk, salt, expiry, claims });
    await code(buildInputs(t.token, t.jwk, epk, salt, expiry, { variant: 'entra', ...opts }), c);
  }
  const m = await mintEntraToken({ epk, salt, expiry });
  const { publicClaims } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'entra', emailDomain: 'contoso.example' });
  assert.equal(publicClaims.domain, TEST_TENANT);
  assert.equal(publicClaims.emailDomain, 'contoso.example');
  assert.equal(publicClaims.header, m.token.split('.')[0]);
  await assert.rejects(buildInputs(m.token, m.jwk, epk, salt, expiry, { emailDomain: 'contoso.example' }), TypeError);
});
