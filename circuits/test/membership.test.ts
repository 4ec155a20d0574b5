/**
 * The membership circuit (circuits/membership) executed with noir_js (witness only; proving is
 * tested in packages/prover): real RS256 tokens signed by fresh RSA-2048 keys, Google- and generic-
 * shaped, and a negative for every item of the statement, built with buildInputs({ unchecked }) and,
 * for a malicious prover, hand-edited inputs.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Noir } from '@noir-lang/noir_js';
import { ensureCompiled } from '../scripts/build.ts';
import { mintGoogleToken, mintGenericToken, testKey, signJws } from '../../packages/crypto/test/fixtures/tokens.ts';
import { buildInputs, generateEphemeralKey, publicInputValues, rsaModulusFromJwk, type MembershipInputs } from '../../packages/crypto/src/index.ts';
import { base64urlDecode } from '../../packages/crypto/src/lib/base64url.ts';
import { headerTamperings, payloadOffset } from './lib/public-header.ts';

type Program = Awaited<ReturnType<typeof ensureCompiled>>['program'];
let program: Program;
const { publicKey: epk } = generateEphemeralKey();
const salt = 0x1234_5678_9abc_def0n;
const expiry = 1767225600;

before(async () => {
  program = (await ensureCompiled('membership')).program; // cached in circuits/target by source hash
});

const run = (inputs: MembershipInputs) => new Noir(program as unknown as ConstructorParameters<typeof Noir>[0]).execute(inputs as never);
async function rejects(inputs: MembershipInputs): Promise<void> {
  await assert.rejects(run(inputs));
}
const clone = (i: MembershipInputs): MembershipInputs => structuredClone(i);

/** Decoded payload bytes and their offset in the circuit's decoded buffer. */
function layout(token: string, inputs: MembershipInputs): { payload: Uint8Array; base: number } {
  return { payload: base64urlDecode(token.split('.')[1]!), base: payloadOffset(inputs) };
}
const indexOf = (hay: Uint8Array, needle: string, from = 0): number => {
  const n = new TextEncoder().encode(needle);
  outer: for (let i = from; i + n.length <= hay.length; i++) {
    for (let j = 0; j < n.length; j++) if (hay[i + j] !== n[j]) continue outer;
    return i;
  }
  return -1;
};

test('a Google-shaped token satisfies the circuit', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  const { inputs, publicClaims } = await buildInputs(m.token, m.jwk, epk, salt, expiry);
  assert.equal(publicClaims.domain, 'acme.com');
  await run(inputs);
});

test('a generic OIDC token (other order, spaces, non-ASCII name, nested email) satisfies the circuit', async () => {
  const m = await mintGenericToken({ epk, salt, expiry });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry);
  await run(inputs);
});

test('a token filling the data buffer (iss, the last claim, at its very end) satisfies the circuit', async () => {
  let best: MembershipInputs | undefined;
  for (let n = 200; n < 500 && !best; n += 1) {
    const m = await mintGenericToken({ epk, salt, expiry, claims: { name: 'x'.repeat(n) } });
    const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry);
    if (inputs.data_len >= 1077) best = inputs;
  }
  assert.ok(best, 'no token of the maximal size found');
  assert.ok(best.data_len <= 1079);
  await run(best);
});

test('nesting to depth 6 satisfies the circuit; deeper fails in buildInputs with ERR_TOKEN_TOO_DEEP', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry, claims: { x: [{ y: [{ z: ['deep'] }] }] } });
  await run((await buildInputs(m.token, m.jwk, epk, salt, expiry)).inputs);
  const deep = await mintGoogleToken({ epk, salt, expiry, claims: { x: [{ y: [{ z: [['deep']] }] }] } });
  await assert.rejects(buildInputs(deep.token, deep.jwk, epk, salt, expiry, { unchecked: true }), { code: 'ERR_TOKEN_TOO_DEEP' });
});

test('expiry exactly iat + 14 days is accepted, one second more is not', async () => {
  const iat = expiry - 14 * 86400;
  const m = await mintGoogleToken({ epk, salt, expiry, claims: { iat } });
  await run((await buildInputs(m.token, m.jwk, epk, salt, expiry)).inputs);
  const late = await mintGoogleToken({ epk, salt, expiry, claims: { iat: iat - 1 } });
  await rejects((await buildInputs(late.token, late.jwk, epk, salt, expiry, { unchecked: true })).inputs);
});

test('wrong issuer key (modulus) is rejected', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  const other = testKey('other').jwk;
  const { inputs } = await buildInputs(m.token, other, epk, salt, expiry, { unchecked: true });
  await rejects(inputs);
});

test('tampered payload (signature of the original) is rejected', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry, claims: { email: 'eve@evil.com', hd: undefined } });
  const good = await mintGoogleToken({ epk, salt, expiry });
  const [h, , s] = good.token.split('.');
  const forged = `${h}.${m.token.split('.')[1]}.${s}`;
  const { inputs } = await buildInputs(forged, m.jwk, epk, salt, expiry, { unchecked: true, domain: 'evil.com' });
  await rejects(inputs);
});

for (const email of ['a@acme.co', 'a@xacme.com', 'a@acme.com.evil', 'a@sub.acme.com', '@acme.com', 'a@b@acme.com']) {
  test(`email ${email} does not prove acme.com`, async () => {
    const m = await mintGoogleToken({ epk, salt, expiry, claims: { email } });
    const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { unchecked: true, domain: 'acme.com' });
    await rejects(inputs);
  });
}

test('a claim injected through name (escaped in JSON) is not a key', async () => {
  const name = 'x","email":"boss@acme.com';
  const m = await mintGoogleToken({ epk, salt, expiry, claims: { name, email: 'eve@evil.com', hd: undefined } });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { unchecked: true, domain: 'acme.com' });
  const { payload, base } = layout(m.token, inputs);
  const k = indexOf(payload, '\\"email\\":\\"boss') + 1; // the quote after the backslash
  assert.ok(k > 0);
  const bad = clone(inputs);
  bad.positions.email_key = base + k;
  bad.positions.email_val = base + k + 9; // "email\":\" -> value quote after the second backslash
  bad.positions.email_at = base + indexOf(payload, '@acme.com');
  await rejects(bad);
});

test('an email inside a nested object is not a top-level claim', async () => {
  const m = await mintGenericToken({ epk, salt, expiry, claims: { email: undefined } });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { unchecked: true, domain: 'other.org' });
  const { payload, base } = layout(m.token, inputs);
  const k = indexOf(payload, '"email": "nested');
  const bad = clone(inputs);
  bad.positions.email_key = base + k;
  bad.positions.email_val = base + k + 9;
  bad.positions.email_at = base + indexOf(payload, '@other.org');
  await rejects(bad);
});

for (const v of [false, 'true', 1]) {
  test(`email_verified ${JSON.stringify(v)} is rejected`, async () => {
    const m = await mintGoogleToken({ epk, salt, expiry, claims: { email_verified: v } });
    await rejects((await buildInputs(m.token, m.jwk, epk, salt, expiry, { unchecked: true })).inputs);
  });
}

test('a missing email_verified claim is rejected', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry, claims: { email_verified: undefined } });
  await rejects((await buildInputs(m.token, m.jwk, epk, salt, expiry, { unchecked: true })).inputs);
});

for (const [claim, value] of [
  ['iss', 'https://accounts.google.co'],
  ['iss', 'https://accounts.google.com.evil'],
  ['iss', 'https://evil.example'],
  ['aud', '1234567890'],
  ['aud', 'other-client'],
] as const) {
  test(`public ${claim} ${value} not in the token is rejected`, async () => {
    const m = await mintGoogleToken({ epk, salt, expiry });
    const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry);
    const pub = publicInputValues({
      modulus: rsaModulusFromJwk(m.jwk),
      iss: claim === 'iss' ? value : 'https://accounts.google.com',
      aud: claim === 'aud' ? value : '1234567890-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com',
      domain: 'acme.com',
      epk,
      expiry,
      header: m.token.split('.')[0]!,
    });
    await rejects({ ...clone(inputs), ...pub });
  });
}

test('wrong salt, epk or expiry (nonce mismatch) is rejected', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry);
  await rejects({ ...clone(inputs), salt: '0x' + (salt + 1n).toString(16) });
  await rejects({ ...clone(inputs), expiry: String(expiry - 1) });
  const other = generateEphemeralKey().publicKey;
  const { inputs: i2 } = await buildInputs(m.token, m.jwk, other, salt, expiry, { unchecked: true });
  await rejects(i2);
});

test('a token whose nonce was made for another key is rejected', async () => {
  const other = generateEphemeralKey().publicKey;
  const m = await mintGoogleToken({ epk: other, salt, expiry });
  await rejects((await buildInputs(m.token, m.jwk, epk, salt, expiry, { unchecked: true })).inputs);
});

test('malicious positions are rejected', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry, claims: { name: 'https://accounts.google.com' } });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry);
  const { payload, base } = layout(m.token, inputs);
  const p = inputs.positions;
  const edits: [string, (q: typeof p) => void][] = [
    ['iss value inside name', (q) => { q.iss_val = base + indexOf(payload, '"https://accounts.google.com', indexOf(payload, '"name"')); }],
    ['iss key at aud', (q) => { q.iss_key = p.aud_key; }],
    ['email_at moved', (q) => { q.email_at += 1; }],
    ['email_val moved', (q) => { q.email_val += 1; }],
    ['verified at nonce', (q) => { q.verified_val = p.nonce_val; }],
    ['iat digits short', (q) => { q.iat_len -= 1; }],
    ['iat digits long', (q) => { q.iat_len += 1; }],
    ['iat value shifted', (q) => { q.iat_val += 1; q.iat_len -= 1; }],
    ['nonce value shifted', (q) => { q.nonce_val += 1; }],
  ];
  for (const [what, edit] of edits) {
    const bad = clone(inputs);
    edit(bad.positions);
    await assert.rejects(run(bad), `${what} must be rejected`);
  }
});

test('the public header must be the signed one (another kid or alg in the bundle, a changed state, tail or length: refused)', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry);
  for (const [what, bad, why] of headerTamperings(inputs, m.token)) await assert.rejects(run(bad), why ?? Error, what);
});

test('data_len not covering the payload is rejected', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry);
  await rejects({ ...clone(inputs), data_len: inputs.data_len - 4 });
});

test('an oversize token fails in buildInputs with ERR_TOKEN_TOO_LONG', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry, claims: { picture: 'https://x/' + 'a'.repeat(400) } });
  await assert.rejects(buildInputs(m.token, m.jwk, epk, salt, expiry), { code: 'ERR_TOKEN_TOO_LONG' });
  await assert.rejects(buildInputs(m.token, m.jwk, epk, salt, expiry, { unchecked: true }), { code: 'ERR_TOKEN_TOO_LONG' });
});

test('a payload that is a JSON array or has the claims one level down is rejected', async () => {
  const { privateKey, jwk } = testKey();
  const good = await mintGoogleToken({ epk, salt, expiry });
  const claims = JSON.parse(new TextDecoder().decode(base64urlDecode(good.token.split('.')[1]!)));
  const token = signJws({ alg: 'RS256', kid: jwk.kid }, JSON.stringify({ wrap: claims, sub: 'x' }), privateKey);
  const { inputs } = await buildInputs(token, jwk, epk, salt, expiry, { unchecked: true, domain: 'acme.com' });
  const { payload, base } = layout(token, inputs);
  const q = inputs.positions;
  for (const [key, val, name] of [['iss_key', 'iss_val', 'iss'], ['aud_key', 'aud_val', 'aud'], ['email_key', 'email_val', 'email'], ['verified_key', 'verified_val', 'email_verified'], ['nonce_key', 'nonce_val', 'nonce'], ['iat_key', 'iat_val', 'iat']] as const) {
    const k = indexOf(payload, `"${name}"`);
    q[key] = base + k;
    q[val] = base + k + name.length + 3;
  }
  q.email_at = base + indexOf(payload, '@acme.com');
  q.iat_len = 10;
  await rejects(inputs);
});
