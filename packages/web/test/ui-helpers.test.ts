import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pseudonym } from '../src/app/pseudonym.ts';
import { relativeTime } from '../src/app/relative-time.ts';
import { safeReturnPath } from '../src/app/return-to.ts';
import { checkPostText } from '../src/app/post-text.ts';
import { etaText } from '../src/app/prove-estimate.ts';
import { STATEMENTS, tokenProblem } from '../src/app/pages/signin.ts';
import type { IssuerInfo } from '@veil/server/schemas';

test('etaText: counts down while the estimate holds, then says it is taking longer (never "0 s left")', () => {
  assert.equal(etaText(5_000, 20_000, true), '5 s elapsed · about 15 s left (estimate from your last proof)');
  assert.equal(etaText(19_500, 20_000, false), '20 s elapsed · almost done…');
  assert.match(etaText(45_000, 20_000, false), /^45 s elapsed · taking longer than usual/);
  for (let t = 0; t < 120_000; t += 250) assert.doesNotMatch(etaText(t, 20_000, true), /\b0 s left/);
});

test('pseudonym: stable per key, two words and an icon, different keys mostly differ; bad keys refused', () => {
  const k = 'a1'.repeat(32);
  assert.deepEqual(pseudonym(k), pseudonym(k));
  assert.match(pseudonym(k).name, /^[A-Z][a-z]+ [A-Z][a-z]+$/);
  assert.match(pseudonym(k).icon, /^data:image\/svg\+xml,/);
  assert.notEqual(pseudonym(k).icon, pseudonym('a1a1a1' + 'ff'.repeat(29)).icon, 'different bits, different icon');
  const names = new Set<string>();
  for (let i = 0; i < 64; i++) names.add(pseudonym(i.toString(16).padStart(2, '0') + (i * 3 % 256).toString(16).padStart(2, '0') + '00'.repeat(30)).name);
  assert.equal(names.size, 64);
  for (const bad of ['', 'A1'.repeat(32), 'a1'.repeat(31), 'zz'.repeat(32)]) assert.throws(() => pseudonym(bad), TypeError);
});

test('relativeTime: just now, minutes, hours, days, future', () => {
  const now = Date.UTC(2026, 0, 10, 12);
  assert.equal(relativeTime(now - 10_000, now, 'en'), 'just now');
  assert.equal(relativeTime(now - 5 * 60_000, now, 'en'), '5 minutes ago');
  assert.equal(relativeTime(now - 3 * 3_600_000, now, 'en'), '3 hours ago');
  assert.equal(relativeTime(now - 86_400_000, now, 'en'), 'yesterday');
  assert.equal(relativeTime(now + 2 * 86_400_000, now, 'en'), 'in 2 days');
});

test('safeReturnPath: same-origin paths only', () => {
  assert.equal(safeReturnPath('/p/' + 'ab'.repeat(16)), '/p/' + 'ab'.repeat(16));
  assert.equal(safeReturnPath('/g/acme.test/board'), '/g/acme.test/board');
  for (const bad of [null, '', 'https://evil.test/', '//evil.test/x', '/\\evil.test', 'javascript:alert(1)', '/signin', '/callback?x', '/\nx', '/'.padEnd(600, 'a')]) {
    assert.equal(safeReturnPath(bad), null, String(bad));
  }
});

test('checkPostText: blank and too long refused, code points counted', () => {
  assert.deepEqual(checkPostText('hi', 5), { ok: true, length: 2 });
  assert.deepEqual(checkPostText(' \n\t ', 5), { ok: false, length: 4, reason: 'blank' });
  assert.deepEqual(checkPostText('', 5), { ok: false, length: 0, reason: 'blank' });
  assert.deepEqual(checkPostText('😀'.repeat(5), 5), { ok: true, length: 5 });
  assert.deepEqual(checkPostText('😀'.repeat(6), 5), { ok: false, length: 6, reason: 'too-long' });
});

test('issue 12: sign-in names each statement and stops a token the variant cannot prove before the prover loads', () => {
  const jwt = (claims: Record<string, unknown>) => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  const issuer = (variant: IssuerInfo['variant']): IssuerInfo => ({ id: variant, kind: 'google', iss: 'https://accounts.google.com', aud: 'c', variant, provable: true, authorizationEndpoint: null, label: 'Google' });
  const base = { iss: 'https://accounts.google.com', aud: 'c', email: 'alice@acme.com', email_verified: true };
  assert.equal(tokenProblem(jwt({ ...base, hd: 'acme.com' }), issuer('google')), null);
  assert.equal(tokenProblem(jwt(base), issuer('google'))?.code, 'ERR_CLAIM_MISSING');
  assert.equal(tokenProblem(jwt({ ...base, hd: '' }), issuer('google'))?.code, 'ERR_CLAIM_MISSING');
  assert.equal(tokenProblem(jwt(base), issuer('oidc')), null);
  assert.equal(tokenProblem(jwt({ ...base, email: undefined }), issuer('oidc'))?.code, 'ERR_EMAIL_MISSING');
  assert.deepEqual(Object.keys(STATEMENTS).sort(), ['entra', 'google', 'oidc']);
  assert.match(STATEMENTS.google, /Workspace/);
});

test('sign-in, entra: a tenant token of a multi-tenant issuer (no email_verified); a board naming email domains stops another domain before the prover', () => {
  const jwt = (claims: Record<string, unknown>) => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  const tenantIss = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;
  const tid = '4f7c1e2a-93b5-4d0e-8a6f-2b1c9d3e5f70';
  const ms: IssuerInfo = { id: 'microsoft', kind: 'microsoft', iss: 'https://login.microsoftonline.com/{tenantid}/v2.0', aud: 'app', variant: 'entra', provable: true, authorizationEndpoint: null, label: 'Microsoft' };
  const token = { iss: tenantIss(tid), aud: 'app', tid, email: 'alice@contoso.example', xms_edov: '1' };
  assert.equal(tokenProblem(jwt(token), ms), null);
  assert.equal(tokenProblem(jwt({ ...token, iss: tenantIss('9188040d-6c67-4c5b-b112-36a304b66dad') }), ms)?.code, 'ERR_ISS_MISMATCH');
  assert.equal(tokenProblem(jwt(token), { ...ms, tenants: ['0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b'] })?.code, 'ERR_ISS_MISMATCH');
  const bound = { ...ms, emailDomains: ['contoso.example'] };
  assert.equal(tokenProblem(jwt(token), bound), null);
  assert.deepEqual(tokenProblem(jwt({ ...token, email: 'alice@fabrikam.example' }), bound), {
    code: 'ERR_EMAIL_DOMAIN_MISMATCH', message: "this board admits Microsoft members with an email at contoso.example; this account's email is at fabrikam.example",
  });
  assert.equal(tokenProblem(jwt({ ...token, email: undefined }), bound)?.code, 'ERR_EMAIL_DOMAIN_MISMATCH');
  // Other statements still need a verified email.
  const oidc: IssuerInfo = { ...ms, kind: 'oidc', iss: 'https://id.example', variant: 'oidc' };
  assert.equal(tokenProblem(jwt({ ...token, iss: 'https://id.example' }), oidc)?.code, 'ERR_EMAIL_UNVERIFIED');
});
