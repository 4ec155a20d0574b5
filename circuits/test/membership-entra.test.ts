/**
 * The Microsoft Entra membership circuit (circuits/membership-entra) executed with noir_js (witness
 * only): the group is the tenant. Organisation-tenant tokens are minted with a test RSA key in the
 * claim order Microsoft issues; the real consumer-tenant tokens in ../shared/real-tokens (read in
 * place, never copied) are refused for the organisation statement. Negatives run with the TypeScript
 * pre-checks off (buildInputs `unchecked`), so only the circuit stands between the token and a
 * witness, and each one names the assertion that refuses it.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Noir } from '@noir-lang/noir_js';
import { CIRCUITS_DIR, compileCrate } from '../scripts/build.ts';
import { mintEntraToken, signJws, testKey, TEST_TENANT } from '../../packages/crypto/test/fixtures/tokens.ts';
import { buildInputs, entraPublicInputValues, generateEphemeralKey, ENTRA_CONSUMER_TENANT, type EntraMembershipInputs, type EntraPositions } from '../../packages/crypto/src/index.ts';
import { base64urlDecode } from '../../packages/crypto/src/lib/base64url.ts';
import { headerTamperings, payloadOffset } from './lib/public-header.ts';

const REAL = join(import.meta.dirname, '..', '..', '..', 'shared', 'real-tokens');
const OTHER_TENANT = '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b';

let program: Awaited<ReturnType<typeof compileCrate>>;
const { publicKey: epk } = generateEphemeralKey();
const salt = 0x5eed_e11an;
const expiry = 1767225600;

before(async () => {
  program = await compileCrate(CIRCUITS_DIR, 'membership-entra');
});

const run = (inputs: EntraMembershipInputs) => new Noir(program as unknown as ConstructorParameters<typeof Noir>[0]).execute(inputs as never);
/** The circuit refuses `inputs` with an assertion whose message matches `why`. */
const refuses = (inputs: EntraMembershipInputs, why: RegExp, what: string) => assert.rejects(run(inputs), why, what);
const entra = async (claims: Record<string, unknown> = {}, opts: { domain?: string; emailDomain?: string } = {}) => {
  const m = await mintEntraToken({ epk, salt, expiry, claims });
  return { m, ...(await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'entra', unchecked: true, ...opts })) };
};

/** The decoded payload and its offset in the circuit's decoded buffer. */
function layout(token: string, inputs: EntraMembershipInputs): { payload: string; base: number } {
  return { payload: new TextDecoder().decode(base64urlDecode(token.split('.')[1]!)), base: payloadOffset(inputs) };
}

test('entra: an organisation token proves its tenant, with or without the email domain (xms_edov "1" or true), with or without an email', async () => {
  const { inputs, publicClaims } = await entra();
  assert.equal(publicClaims.domain, TEST_TENANT);
  assert.equal(publicClaims.emailDomain, '');
  assert.equal(publicClaims.header, (await mintEntraToken({ epk, salt, expiry })).token.split('.')[0]);
  await run(inputs);
  // The checked path produces the same inputs.
  const m = await mintEntraToken({ epk, salt, expiry });
  assert.deepEqual((await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'entra' })).inputs, inputs);
  await run((await entra({}, { emailDomain: 'contoso.example' })).inputs);
  await run((await entra({ xms_edov: true }, { emailDomain: 'contoso.example' })).inputs);
  // Not bound, the email is not read: none, or one that is no address, does not stop the statement.
  await run((await entra({ email: undefined, xms_edov: undefined })).inputs);
  await run((await entra({ email: 'not-an-address' })).inputs);
});

test('entra: a token from another tenant, iss and tid disagreeing, ver 1.0 or no ver: refused', async () => {
  const cases: Array<[string, Record<string, unknown>, string | undefined, RegExp]> = [
    ['token of another tenant', {}, OTHER_TENANT, /json: value differs/],
    ['iss of another tenant than tid (public = tid)', { iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }, TEST_TENANT, /json: value differs/],
    ['tid of another tenant than iss (public = iss tenant)', { tid: OTHER_TENANT, iss: `https://login.microsoftonline.com/${TEST_TENANT}/v2.0` }, TEST_TENANT, /json: value differs/],
    ['v1.0 issuer', { iss: `https://sts.windows.net/${TEST_TENANT}/` }, TEST_TENANT, /json: value (differs|has a different length)/],
    ['ver 1.0', { ver: '1.0' }, TEST_TENANT, /json: value differs/],
    ['no ver', { ver: undefined }, TEST_TENANT, /json: no top-level key/],
    // the hex check's range checks carry no message (assert_max_bit_size); it is the first check
    ['tid uppercase', { tid: TEST_TENANT.toUpperCase() }, TEST_TENANT.toUpperCase(), /assert_max_bit_size/],
  ];
  for (const [what, claims, domain, why] of cases) {
    const { inputs } = await entra(claims, domain === undefined ? {} : { domain });
    await refuses(inputs, why, what);
  }
});

test('entra: the personal-accounts tenant is refused in the circuit, minted and real (../shared/real-tokens)', async () => {
  const consumer = { tid: ENTRA_CONSUMER_TENANT, iss: `https://login.microsoftonline.com/${ENTRA_CONSUMER_TENANT}/v2.0` };
  await refuses((await entra(consumer)).inputs, /personal-accounts tenant/, 'minted consumer token');
  const real = ['03_entra-consumers-email-xms_edov_supabase-auth', '07_entra-consumers-no-email_fastcrypto-a', '08_entra-consumers-no-email_fastcrypto-b'];
  for (const f of real) {
    const token = readFileSync(join(REAL, `${f}.jwt`), 'utf8').trim();
    const jwk = JSON.parse(readFileSync(join(REAL, `${f}.jwk.json`), 'utf8')) as JsonWebKey;
    // The pre-checks refuse it too (first failed clause: the tenant).
    await assert.rejects(buildInputs(token, jwk, epk, salt, expiry, { variant: 'entra' }), { code: 'ERR_TENANT_CONSUMER' }, f);
    const { inputs } = await buildInputs(token, jwk, epk, salt, expiry, { variant: 'entra', unchecked: true });
    // Signed by Microsoft's real key, so RS256 and the header pass; the tenant is what refuses it.
    await refuses(inputs, /personal-accounts tenant/, f);
  }
});

test('entra: the email domain binds only with xms_edov true or "1", and only the exact domain', async () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['xms_edov "0"', { xms_edov: '0' }, 'contoso.example', /json: value is not true or "1"/],
    ['xms_edov false', { xms_edov: false }, 'contoso.example', /json: value is not true or "1"/],
    ['xms_edov 1 (a number)', { xms_edov: 1 }, 'contoso.example', /json: value is not true or "1"/],
    ['no xms_edov', { xms_edov: undefined }, 'contoso.example', /json: no top-level key/],
    ['another domain', {}, 'fabrikam.example', /email: domain differs/],
    ['the domain a prefix', { email: 'alice@contoso.example.evil' }, 'contoso.example', /email: address continues/],
    ['two @', { email: 'alice@x@contoso.example' }, 'contoso.example', /email: '@' or/],
  ];
  for (const [what, claims, emailDomain, why] of cases) {
    const { inputs } = await entra(claims, { emailDomain });
    await refuses(inputs, why, what);
  }
  // Not binding the domain is not a way around it: a bound domain in the public inputs is checked.
  const { inputs } = await entra({ xms_edov: '0' });
  const bad = structuredClone(inputs);
  const bound = entraPublicInputValues({ modulus: 1n << 2047n, aud: 'a', tenant: TEST_TENANT, emailDomain: 'contoso.example', epk, expiry, header: 'abc' });
  bad.email_domain = bound.email_domain;
  await refuses(bad, /json: no top-level key|email: /, 'email_domain set without its length');
});

test('entra: nonce, aud and the expiry window are the statement of the other variants', async () => {
  const { inputs } = await entra();
  await refuses({ ...structuredClone(inputs), salt: '0x' + (salt + 1n).toString(16) }, /json: value differs/, 'another salt');
  await refuses({ ...structuredClone(inputs), expiry: String(expiry - 1) }, /json: value differs/, 'another expiry');
  const otherKey = generateEphemeralKey().publicKey;
  const m = await mintEntraToken({ epk: otherKey, salt, expiry });
  await refuses((await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'entra', unchecked: true })).inputs, /json: value differs/, 'nonce for another key');
  const aud = entraPublicInputValues({ modulus: 1n << 2047n, aud: '00000000-0000-0000-0000-000000000000', tenant: TEST_TENANT, emailDomain: '', epk, expiry, header: 'abc' });
  await refuses({ ...structuredClone(inputs), aud: aud.aud }, /json: value differs/, 'another aud');
  const late = await entra({ iat: expiry - 14 * 86400 - 1 });
  await refuses(late.inputs, /expiry later than iat/, 'iat too old');
  await run((await entra({ iat: expiry - 14 * 86400 })).inputs);
});

test('entra: the public header must be the signed one (another kid or alg in the bundle, a changed state, tail or length: refused)', async () => {
  const { m, inputs } = await entra();
  for (const [what, bad, why] of headerTamperings(inputs, m.token)) await refuses(bad, why ?? /./, what);
});

test('entra: duplicate, nested and escaped claims do not prove the tenant', async () => {
  // Duplicates: buildInputs refuses them even unchecked (the positions would be ambiguous).
  const { privateKey, jwk } = testKey();
  const good = await mintEntraToken({ epk, salt, expiry });
  const claims = JSON.parse(new TextDecoder().decode(base64urlDecode(good.token.split('.')[1]!))) as Record<string, unknown>;
  const twice = signJws({ typ: 'JWT', alg: 'RS256', kid: jwk.kid }, JSON.stringify(claims).replace('"tid":', `"tid":"${OTHER_TENANT}","tid":`), privateKey);
  await assert.rejects(buildInputs(twice, jwk, epk, salt, expiry, { variant: 'entra', unchecked: true }), { code: 'ERR_TOKEN_DUPLICATE_CLAIM' });

  // tid and iss of the tenant only inside a nested object; the top-level ones are another tenant's.
  const nested = await entra({ tid: OTHER_TENANT, org: { tid: TEST_TENANT, iss: `https://login.microsoftonline.com/${TEST_TENANT}/v2.0` } }, { domain: TEST_TENANT });
  // iss of the top level names OTHER_TENANT (mintEntraToken derives it from tid): re-point both.
  const n = layout(nested.m.token, nested.inputs);
  const p1 = structuredClone(nested.inputs);
  const k = n.payload.indexOf('"tid"', n.payload.indexOf('"org"'));
  p1.positions.tid_key = n.base + k;
  p1.positions.tid_val = n.base + k + 6;
  const ki = n.payload.indexOf('"iss"', n.payload.indexOf('"org"'));
  p1.positions.iss_key = n.base + ki;
  p1.positions.iss_val = n.base + ki + 6;
  await refuses(p1, /json: no top-level key/, 'nested tid and iss');

  // The tenant injected through an escaped string: never a key.
  const name = `x","tid":"${TEST_TENANT}`;
  const esc = await entra({ tid: OTHER_TENANT, iss: `https://login.microsoftonline.com/${TEST_TENANT}/v2.0`, name }, { domain: TEST_TENANT });
  const e = layout(esc.m.token, esc.inputs);
  const p2 = structuredClone(esc.inputs);
  const q = e.payload.indexOf('\\"tid\\":\\"') + 1; // the quote after the backslash
  assert.ok(q > 0);
  p2.positions.tid_key = e.base + q;
  p2.positions.tid_val = e.base + q + 8;
  await refuses(p2, /json: no top-level key/, 'escaped tid');
  // ... nor a value: pointing the real tid key at the injected text.
  const p3 = structuredClone(esc.inputs);
  p3.positions.tid_val = e.base + e.payload.indexOf(`${TEST_TENANT}`, e.payload.indexOf('"name"')) - 2;
  await refuses(p3, /json: /, 'tid value in the escaped string');
});

test('entra: malicious positions are refused', async () => {
  const { inputs } = await entra({}, { emailDomain: 'contoso.example' });
  const p = inputs.positions;
  const edits: Array<[string, (q: EntraPositions) => void]> = [
    ['tid key at aud', (q) => { q.tid_key = p.aud_key; q.tid_val = p.aud_val; }],
    ['ver value shifted', (q) => { q.ver_val += 1; }],
    ['tid value shifted', (q) => { q.tid_val += 1; }],
    ['xms_edov value at the tid', (q) => { q.edov_val = p.tid_val; }],
    ['email @ moved', (q) => { q.email_at += 1; }],
    ['iat short', (q) => { q.iat_len -= 1; }],
  ];
  for (const [what, edit] of edits) {
    const bad = structuredClone(inputs);
    edit(bad.positions);
    await assert.rejects(run(bad), /json: |email: /, what);
  }
});
