// The tenant → template mapping shared by the board, `veil verify-message` and the web badge: which
// configured issuer a token's iss belongs to, and which registered key may verify a proof of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENTRA_CONSUMER_TENANT, ENTRA_ISS_TEMPLATE, assertIssuerKeyFor, emailDomainToBind, entraTenantOf, isVeilError, issuerForIss } from '../src/index.ts';

const TID = '4f7c1e2a-93b5-4d0e-8a6f-2b1c9d3e5f70';
const OTHER = '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b';
const tenantIss = (t: string) => `https://login.microsoftonline.com/${t}/v2.0`;
const multi = { kind: 'microsoft', iss: ENTRA_ISS_TEMPLATE };
const listed = { ...multi, tenants: [TID] };
const dev = { kind: 'dev', iss: 'http://127.0.0.1:8080/dev-issuer' };
const mismatch = (e: unknown) => isVeilError(e, 'ERR_ISSUER_KEY_MISMATCH') || assert.fail(String(e));

test('entraTenantOf: exactly the v2.0 issuer of an organisation tenant', () => {
  assert.equal(entraTenantOf(tenantIss(TID)), TID);
  for (const iss of [tenantIss(ENTRA_CONSUMER_TENANT), ENTRA_ISS_TEMPLATE, tenantIss(TID.toUpperCase()), `${tenantIss(TID)}/`, `https://sts.windows.net/${TID}/`,
    'https://login.microsoftonline.com/common/v2.0', 'https://login.microsoftonline.com/organizations/v2.0', `http://login.microsoftonline.com/${TID}/v2.0`, `https://login.microsoftonline.com/${TID}/${TID}/v2.0`]) {
    assert.equal(entraTenantOf(iss), undefined, iss);
  }
});

test('issuerForIss: an exact iss first, else the multi-tenant issuer admitting the tenant', () => {
  const single = { kind: 'microsoft', iss: tenantIss(OTHER) };
  assert.equal(issuerForIss([dev, multi], dev.iss), dev);
  assert.equal(issuerForIss([dev, multi], tenantIss(TID)), multi);
  assert.equal(issuerForIss([single, multi], tenantIss(OTHER)), single);
  assert.equal(issuerForIss([listed], tenantIss(OTHER)), undefined);
  assert.equal(issuerForIss([multi], tenantIss(ENTRA_CONSUMER_TENANT)), undefined);
  assert.equal(issuerForIss([dev, { kind: 'oidc', iss: ENTRA_ISS_TEMPLATE }], tenantIss(TID)), undefined);
});

test('assertIssuerKeyFor: the template key only for the v2.0 iss of the proof\'s own admitted tenant', () => {
  assertIssuerKeyFor(dev.iss, { iss: dev.iss, domain: 'acme.test' }, dev);
  assertIssuerKeyFor(ENTRA_ISS_TEMPLATE, { iss: tenantIss(TID), domain: TID }, multi);
  assertIssuerKeyFor(ENTRA_ISS_TEMPLATE, { iss: tenantIss(TID), domain: TID }, listed);
  const refused: Array<[string, string, { iss: string; domain: string }, { kind: string; iss: string; tenants?: string[] }]> = [
    ['a tenant not in the allow-list', ENTRA_ISS_TEMPLATE, { iss: tenantIss(OTHER), domain: OTHER }, listed],
    ['the consumer tenant', ENTRA_ISS_TEMPLATE, { iss: tenantIss(ENTRA_CONSUMER_TENANT), domain: ENTRA_CONSUMER_TENANT }, multi],
    ['an iss of another tenant than the group', ENTRA_ISS_TEMPLATE, { iss: tenantIss(OTHER), domain: TID }, multi],
    ['a template key for a non-Microsoft issuer', ENTRA_ISS_TEMPLATE, { iss: dev.iss, domain: 'acme.test' }, dev],
    ['a template key for a non-Microsoft issuer named like the template', ENTRA_ISS_TEMPLATE, { iss: tenantIss(TID), domain: TID }, { kind: 'oidc', iss: ENTRA_ISS_TEMPLATE }],
    ['a tenant-iss key for the multi-tenant issuer', tenantIss(TID), { iss: tenantIss(TID), domain: TID }, multi],
    ['another issuer\'s key', 'https://evil.example', { iss: dev.iss, domain: 'acme.test' }, dev],
    ['the template as a proof\'s iss', ENTRA_ISS_TEMPLATE, { iss: ENTRA_ISS_TEMPLATE, domain: TID }, { kind: 'dev', iss: dev.iss }],
  ];
  for (const [what, keyIss, claims, issuer] of refused) assert.throws(() => assertIssuerKeyFor(keyIss, claims, issuer), mismatch, what);
});

test('emailDomainToBind: the email\'s own domain when the issuer names it; none named, nothing bound', () => {
  const issuer = { label: 'Microsoft', emailDomains: ['contoso.example', 'fabrikam.example'] };
  assert.equal(emailDomainToBind(issuer, 'alice@fabrikam.example'), 'fabrikam.example');
  assert.equal(emailDomainToBind({ label: 'Microsoft' }, 'alice@elsewhere.example'), undefined);
  for (const email of ['alice@Contoso.example', 'alice@sub.contoso.example', 'contoso.example', '@contoso.example', undefined, 42]) {
    assert.throws(() => emailDomainToBind(issuer, email), (e: unknown) => isVeilError(e, 'ERR_EMAIL_DOMAIN_MISMATCH'), String(email));
  }
});
