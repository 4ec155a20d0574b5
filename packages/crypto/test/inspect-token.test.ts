// inspectToken: each variant's statement clause by clause, on the real (expired) tokens in
// ../shared/real-tokens (read there, never copied) and on minted tokens for the cases no real token has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspectToken, variantForIssuer, aVariant, ENTRA_CONSUMER_TENANT, type Inspection } from '../src/inspect-token.ts';
import { isVeilError } from '../src/errors.ts';
import { generateEphemeralKey } from '../src/generate-ephemeral-key.ts';
import { mintGoogleToken, mintGenericToken, mintEntraToken, TEST_TENANT } from './fixtures/tokens.ts';

const REAL = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'real-tokens');
const real = (kind: string) =>
  readdirSync(REAL)
    .filter((f) => f.endsWith('.jwt') && f.includes(kind))
    .map((f) => ({ f, token: readFileSync(join(REAL, f), 'utf8').trim(), jwk: JSON.parse(readFileSync(join(REAL, f.replace(/\.jwt$/, '.jwk.json')), 'utf8')) as JsonWebKey }));
const failing = (r: Inspection) => r.clauses.filter((c) => !c.ok).map((c) => c.name);
const clause = (r: Inspection, name: string) => r.clauses.find((c) => c.name === name)!;

const { publicKey: epk } = generateEphemeralKey();
const salt = 7n;
const expiry = 1767225600;
const given = { nonce: { epk, salt, expiry } };

test('inspect: real Google Workspace tokens pass every google clause but the nonce ("not given")', async () => {
  const tokens = real('google-workspace');
  assert.equal(tokens.length, 4);
  for (const { f, token, jwk } of tokens) {
    const r = await inspectToken(token, jwk);
    assert.equal(r.variant, 'google', f);
    assert.deepEqual(failing(r), ['nonce'], f);
    assert.equal(clause(r, 'nonce').reason, 'not given');
    assert.deepEqual(r.clauses.map((c) => c.name), ['signature', 'iss', 'aud', 'hd', 'email', 'verified', 'nonce', 'expiry', 'top-level-keys', 'duplicates', 'sizes']);
    for (const s of r.sizes) assert.ok(s.value <= s.limit, `${f} ${s.name}`);
  }
});

test('inspect: real Google openid-only tokens name the missing hd, email and email_verified', async () => {
  const tokens = real('google-openid-only');
  assert.equal(tokens.length, 3);
  for (const { f, token, jwk } of tokens) {
    const r = await inspectToken(token, jwk);
    assert.deepEqual(failing(r), ['hd', 'email', 'verified', 'nonce'], f);
    assert.match(clause(r, 'hd').reason, /no hd claim/);
    assert.match(clause(r, 'email').reason, /no email claim/);
    assert.match(clause(r, 'verified').reason, /no email_verified claim/);
    assert.ok(clause(r, 'signature').ok);
  }
});

test('inspect: real Microsoft consumer-tenant tokens are refused for an organisation statement', async () => {
  const tokens = real('entra-consumers');
  assert.equal(tokens.length, 3);
  for (const { f, token, jwk } of tokens) {
    const r = await inspectToken(token, jwk);
    assert.equal(r.variant, 'entra', f);
    assert.deepEqual(failing(r), ['tid', 'nonce'], f);
    assert.match(clause(r, 'tid').reason, new RegExp(`${ENTRA_CONSUMER_TENANT}.*personal-accounts`));
    for (const name of ['signature', 'iss', 'ver', 'aud']) assert.ok(clause(r, name).ok, `${f} ${name}`);
  }
  // xms_edov is the string "1" in the real token with an email: the email domain is bindable.
  const withEmail = tokens.find((t) => t.f.includes('xms_edov'))!;
  const r = await inspectToken(withEmail.token, withEmail.jwk);
  assert.match(clause(r, 'email').reason, /"gmail\.com"; not bound .*xms_edov would allow binding it/);
  assert.equal(clause(r, 'verified').reason, 'xms_edov "1"');
  // Binding it does not rescue the consumer tenant.
  assert.deepEqual(failing(await inspectToken(withEmail.token, withEmail.jwk, { emailDomain: 'gmail.com' })), ['tid', 'nonce']);
});

test('inspect: a real token under the wrong key fails only the signature clause', async () => {
  const [a, b] = real('google-workspace');
  const r = await inspectToken(a!.token, { ...b!.jwk, kid: undefined } as JsonWebKey);
  assert.deepEqual(failing(r), ['signature', 'nonce']);
});

test('inspect: google binds hd byte-for-byte, never by suffix or prefix, and needs email_verified true', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  assert.deepEqual(failing(await inspectToken(m.token, m.jwk, given)), []);
  assert.deepEqual(failing(await inspectToken(m.token, m.jwk, { ...given, domain: 'acme.com' })), []);
  for (const domain of ['other.example', 'cme.com', 'acme.co', 'x.acme.com', 'ACME.COM']) {
    assert.deepEqual(failing(await inspectToken(m.token, m.jwk, { ...given, domain })), ['hd'], domain);
  }
  const cases: [Record<string, unknown>, string[]][] = [
    [{ hd: undefined }, ['hd']],
    [{ hd: 'other.example' }, []],
    [{ hd: ['acme.com'] }, ['hd']],
    [{ email_verified: 'true' }, ['verified']],
    [{ iss: 'https://accounts.google.com.evil' }, ['iss']],
    [{ email: 'alice@secondary.example' }, []],
  ];
  for (const [claims, expect] of cases) {
    const t = await mintGoogleToken({ epk, salt, expiry, claims });
    assert.deepEqual(failing(await inspectToken(t.token, t.jwk, { ...given, variant: 'google' })), expect, JSON.stringify(claims));
  }
  const other = await mintGoogleToken({ epk, salt, expiry, claims: { hd: 'other.example' } });
  assert.deepEqual(failing(await inspectToken(other.token, other.jwk, { ...given, domain: 'acme.com' })), ['hd']);
  const escaped = await mintGoogleToken({ epk, salt, expiry, rawPayload: `{"iss":"https://accounts.google.com","aud":"a","hd":"acme\\u002ecom","email":"a@acme.com","email_verified":true,"nonce":"x","iat":${expiry - 60}}` });
  assert.deepEqual(failing(await inspectToken(escaped.token, escaped.jwk)), ['nonce', 'top-level-keys']);
  const twice = await mintGoogleToken({ epk, salt, expiry, rawPayload: `{"iss":"https://accounts.google.com","aud":"a","hd":"evil.example","hd":"acme.com","email":"a@acme.com","email_verified":true,"iat":${expiry - 60}}` });
  assert.deepEqual(failing(await inspectToken(twice.token, twice.jwk)), ['nonce', 'duplicates']);
});

test('inspect: entra binds the tenant (tid, iss, ver) and refuses the consumer tenant', async () => {
  const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const entra = (claims: Record<string, unknown>) =>
    mintGenericToken({ epk, salt, expiry, claims: { ver: '2.0', iss: `https://login.microsoftonline.com/${tid}/v2.0`, tid, email: undefined, email_verified: undefined, ...claims } });
  const ok = await entra({});
  const r = await inspectToken(ok.token, ok.jwk, given);
  assert.equal(r.variant, 'entra');
  assert.deepEqual(failing(r), []);
  assert.deepEqual(failing(await inspectToken(ok.token, ok.jwk, { ...given, domain: tid })), []);
  assert.deepEqual(failing(await inspectToken(ok.token, ok.jwk, { ...given, domain: ENTRA_CONSUMER_TENANT.replace('9', '8') })), ['tid']);
  const cases: [Record<string, unknown>, string[]][] = [
    [{ tid: '11111111-2222-3333-4444-555555555555' }, ['iss']],
    [{ ver: '1.0' }, ['ver']],
    [{ ver: undefined }, ['ver']],
    [{ tid: ENTRA_CONSUMER_TENANT, iss: `https://login.microsoftonline.com/${ENTRA_CONSUMER_TENANT}/v2.0` }, ['tid']],
    [{ tid: 'Contoso', iss: 'https://login.microsoftonline.com/Contoso/v2.0' }, ['tid']],
    [{ email: 'bob@contoso.com', xms_edov: false }, []],
  ];
  for (const [claims, expect] of cases) {
    const t = await entra(claims);
    assert.deepEqual(failing(await inspectToken(t.token, t.jwk, given)), expect, JSON.stringify(claims));
  }
  const v1 = await entra({ ver: '1.0', iss: `https://sts.windows.net/${tid}/` });
  assert.deepEqual(failing(await inspectToken(v1.token, v1.jwk, { ...given, variant: 'entra' })), ['iss', 'ver']);
});

test('inspect: oidc is the email-domain statement; variant chosen from iss; sizes come from the circuit limits', async () => {
  const g = await mintGenericToken({ epk, salt, expiry });
  const r = await inspectToken(g.token, g.jwk, given);
  assert.equal(r.variant, 'oidc');
  assert.deepEqual(failing(r), []);
  assert.deepEqual(failing(await inspectToken(g.token, g.jwk, { ...given, domain: 'example.com' })), ['email']);
  assert.deepEqual(failing(await inspectToken(g.token, g.jwk, { nonce: { epk, salt: 8n, expiry } })), ['nonce']);
  assert.deepEqual(failing(await inspectToken(g.token, g.jwk, { nonce: { epk, salt, expiry: expiry + 30 * 86400 } })), ['nonce', 'expiry']);
  const long = await mintGenericToken({ epk, salt, expiry, claims: { picture: 'x'.repeat(600) } });
  const lr = await inspectToken(long.token, long.jwk, given);
  assert.deepEqual(failing(lr), ['sizes']);
  assert.match(clause(lr, 'sizes').reason, /hashed bytes \d+ > 1079/);
  const m = await mintGoogleToken({ epk, salt, expiry });
  assert.deepEqual(failing(await inspectToken(m.token, m.jwk, { ...given, variant: 'oidc' })), []);
  assert.equal(variantForIssuer('https://accounts.google.com'), 'google');
  assert.equal(variantForIssuer('accounts.google.com'), 'google');
  assert.equal(variantForIssuer(`https://login.microsoftonline.com/${ENTRA_CONSUMER_TENANT}/v2.0`), 'entra');
  assert.equal(variantForIssuer('https://login.microsoftonline.com.evil/x/v2.0'), 'oidc');
  assert.throws(() => aVariant('microsoft'), (e) => isVeilError(e, 'ERR_VARIANT_UNKNOWN'));
  await assert.rejects(inspectToken('a.b', g.jwk), (e) => isVeilError(e, 'ERR_TOKEN_MALFORMED'));
});

test('inspect: entra binds the email domain only on request, and then needs xms_edov true or "1"; kid on both sides', async () => {
  const ok = await mintEntraToken({ epk, salt, expiry });
  const r = await inspectToken(ok.token, ok.jwk, given);
  assert.equal(r.variant, 'entra');
  assert.deepEqual(failing(r), []);
  assert.equal(clause(r, 'tid').reason, `tenant (tid) "${TEST_TENANT}"`);
  const bind = { ...given, emailDomain: 'contoso.example' };
  assert.deepEqual(failing(await inspectToken(ok.token, ok.jwk, bind)), []);
  assert.deepEqual(failing(await inspectToken(ok.token, ok.jwk, { ...bind, emailDomain: 'fabrikam.example' })), ['email']);
  const cases: [Record<string, unknown>, string[], string[]][] = [
    [{ xms_edov: true }, [], []],
    [{ xms_edov: '0' }, [], ['verified']],
    [{ xms_edov: false }, [], ['verified']],
    [{ xms_edov: 1 }, [], ['verified']],
    [{ xms_edov: undefined }, [], ['verified']],
    [{ email: undefined }, [], ['email']],
    [{ email: 'not-an-address' }, [], ['email']],
  ];
  for (const [claims, unbound, bound] of cases) {
    const t = await mintEntraToken({ epk, salt, expiry, claims });
    assert.deepEqual(failing(await inspectToken(t.token, t.jwk, given)), unbound, `unbound ${JSON.stringify(claims)}`);
    assert.deepEqual(failing(await inspectToken(t.token, t.jwk, bind)), bound, `bound ${JSON.stringify(claims)}`);
  }
  // The entra statement publishes the header: its kid must be there and be the key's.
  const noKid = await mintEntraToken({ epk, salt, expiry, header: { kid: undefined } });
  assert.match(clause(await inspectToken(noKid.token, noKid.jwk, given), 'signature').reason, /kid/);
  assert.deepEqual(failing(await inspectToken(ok.token, { ...ok.jwk, kid: undefined } as JsonWebKey, given)), ['signature']);
});
