import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVeilError } from '@veil/crypto';
import { loadConfig } from '@veil/server';

const env = {} as NodeJS.ProcessEnv;
function file(obj: unknown): string {
  const p = join(mkdtempSync(join(tmpdir(), 'veil-cfg-')), 'c.json');
  writeFileSync(p, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return p;
}
const configError = (e: unknown) => isVeilError(e, 'ERR_CONFIG');

test('defaults: development profile, dev issuer on the app origin, test CRS, 127.0.0.1:8080, ./data', () => {
  const c = loadConfig({ env });
  assert.equal(c.profile, 'development');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.match(c.dataDir, /\/data$/);
  assert.equal(c.crs, 'test');
  assert.equal(c.enclave.producer, 'simulation');
  assert.deepEqual(c.issuers.map((i) => [i.kind, i.iss, i.aud, i.authorizationEndpoint]), [
    ['dev', 'http://127.0.0.1:8080/dev-issuer', 'veil-dev', 'http://127.0.0.1:8080/dev-issuer/auth'],
  ]);
  assert.equal(loadConfig({ env: { PORT: '9000' } }).issuers[0]!.iss, 'http://127.0.0.1:9000/dev-issuer');
  assert.equal(loadConfig({ env: { PORT: '9000' }, port: 9100 }).port, 9100);
});

test('production refuses the dev issuer and the test CRS with a clear error', () => {
  assert.throws(() => loadConfig({ env, file: file({ profile: 'production' }) }), (e) => configError(e) && /dev issuer/.test((e as Error).message));
  const google = { kind: 'google', aud: 'client.apps.googleusercontent.com' };
  assert.throws(() => loadConfig({ env, file: file({ profile: 'production', issuers: [google], crs: 'test' }) }), (e) => configError(e) && /test CRS/.test((e as Error).message));
  assert.throws(() => loadConfig({ env, file: file({ profile: 'production', issuers: [google, { kind: 'dev' }] }) }), configError);
  assert.throws(() => loadConfig({ env, file: file({ profile: 'production', issuers: [google], enclave: { producer: 'simulation' } }) }), (e) => configError(e) && /simulated attestation/.test((e as Error).message));
  const ok = loadConfig({ env, file: file({ profile: 'production', issuers: [google] }) });
  assert.equal(ok.enclave.producer, 'none');
  assert.equal(ok.crs, 'aztec');
  assert.deepEqual(ok.issuers.map((i) => [i.kind, i.iss, i.jwks]), [['google', 'https://accounts.google.com', 'https://www.googleapis.com/oauth2/v3/certs']]);
});

test('the dev registry: on by default in development, off in production, refused there when asked for', () => {
  assert.deepEqual(loadConfig({ env }).devRegistry, { enabled: true });
  assert.deepEqual(loadConfig({ env, file: file({ devRegistry: { enabled: false } }) }).devRegistry, { enabled: false });
  const google = { kind: 'google', aud: 'client.apps.googleusercontent.com' };
  assert.deepEqual(loadConfig({ env, file: file({ profile: 'production', issuers: [google] }) }).devRegistry, { enabled: false });
  assert.throws(() => loadConfig({ env, file: file({ profile: 'production', issuers: [google], devRegistry: { enabled: true } }) }), (e) => configError(e) && /dev registry/.test((e as Error).message));
  assert.throws(() => loadConfig({ env, file: file({ devRegistry: { enabled: 'yes' } }) }), configError);
});

test('keyObservations: the identity service to collect key observations from, or refused', () => {
  assert.equal(loadConfig({ env }).keyObservations, undefined);
  assert.deepEqual(loadConfig({ env, file: file({ keyObservations: { from: 'https://identity.example' } }) }).keyObservations, { from: 'https://identity.example' });
  for (const bad of [null, 'https://identity.example', {}, { from: 'ftp://x' }, { from: 'https://a b' }, { from: 'https://x', extra: 1 }]) {
    assert.throws(() => loadConfig({ env, file: file({ keyObservations: bad }) }), (e) => configError(e) && /keyObservations/.test((e as Error).message), JSON.stringify(bad));
  }
});

test('production-profile errors name what is missing and show a minimal config that works', () => {
  const message = (cfg: unknown) => {
    try {
      loadConfig({ env, file: file(cfg) });
    } catch (e) {
      assert.ok(configError(e));
      return (e as Error).message;
    }
    assert.fail('expected ERR_CONFIG');
  };
  const minimal = /e\.g\. (\{"profile":"production".*\})$/;
  for (const cfg of [{ profile: 'production' }, { profile: 'production', issuers: [{ kind: 'dev' }] }, { profile: 'production', issuers: [] }]) {
    const m = message(cfg);
    const example = minimal.exec(m)?.[1];
    assert.ok(example, m);
    // the example itself starts (with a real client id filled in)
    const c = loadConfig({ env, file: file(example.replace('<your OAuth client id>', '1234-abc')) });
    assert.equal(c.profile, 'production');
    assert.equal(c.issuers[0]!.kind, 'google');
  }
  assert.match(message({ profile: 'production', issuers: [] }), /^no issuers configured: add \{"kind":"google","aud":"<your OAuth client id>"\} to "issuers"/);
  assert.match(message({ profile: 'production', issuers: [{ kind: 'google' }] }), /issuers\[0\]\.aud \(the OAuth client id\) is required, e\.g\. \{"kind":"google","aud":/);
  assert.match(message({ profile: 'production', issuers: [{ kind: 'oidc', aud: 'x' }] }), /issuers\[0\]\.iss is required for kind oidc, e\.g\./);
  assert.match(message({ profile: 'production', issuers: [{ kind: 'google', aud: 'x' }], crs: 'test' }), /refuses the test CRS.*"crs": "aztec", the default/);
});

test('invalid config files are refused', () => {
  for (const bad of ['{', '[]', { profile: 'staging' }, { crs: 'none' }, { issuers: [{ kind: 'saml' }] }, { issuers: [{ kind: 'oidc', aud: 'x' }] }, { issuers: [{ kind: 'google' }] }, { issuers: [{ kind: 'dev' }, { kind: 'dev' }] }]) {
    assert.throws(() => loadConfig({ env, file: file(bad) }), configError, JSON.stringify(bad));
  }
  assert.throws(() => loadConfig({ env, file: '/nonexistent/veil.json' }), configError);
  assert.throws(() => loadConfig({ env: { PORT: 'eighty' } }), configError);
});

test('origins, HTTP limits and trustProxy: defaults, overrides, refusals', () => {
  const d = loadConfig({ env, port: 9000 });
  assert.deepEqual(d.origins, ['http://127.0.0.1:9000', 'http://localhost:9000']);
  assert.deepEqual(d.http, { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnectionsPerIp: 64 });
  assert.equal(d.trustProxy, undefined);
  const c = loadConfig({ env, file: file({ origins: ['https://board.example', 'https://alt.example:8443'], http: { requestTimeoutMs: 5000, maxConnectionsPerIp: 0 }, trustProxy: ['10.0.0.2'] }) });
  assert.deepEqual(c.origins, ['https://board.example', 'https://alt.example:8443']);
  assert.equal(c.http!.requestTimeoutMs, 5000);
  assert.equal(c.http!.maxConnectionsPerIp, 0);
  assert.equal(c.http!.headersTimeoutMs, 10_000);
  assert.deepEqual(c.trustProxy, ['10.0.0.2']);
  for (const bad of [
    { origins: [] }, { origins: ['board.example'] }, { origins: ['https://board.example/api'] }, { origins: ['ftp://board.example'] }, { origins: 'https://board.example' },
    { http: { requestTimeoutMs: 0 } }, { http: { keepAliveTimeoutMs: -1 } }, { http: { maxConnectionsPerIp: 1.5 } }, { http: 5 }, { trustProxy: [1] },
  ]) {
    assert.throws(() => loadConfig({ env, file: file(bad) }), configError, JSON.stringify(bad));
  }
});

test('groups: no registrar and a 10-minute root window by default; a malformed key or window is refused', () => {
  assert.deepEqual(loadConfig({ env }).groups, { registrarKey: null, rootWindowMinutes: 10 });
  const key = 'ab'.repeat(32);
  assert.deepEqual(loadConfig({ env, file: file({ groups: { registrarKey: key, rootWindowMinutes: 2 } }) }).groups, { registrarKey: key, rootWindowMinutes: 2 });
  assert.equal(loadConfig({ env: { VEIL_REGISTRAR_KEY: key } }).groups?.registrarKey, key);
  assert.throws(() => loadConfig({ env, file: file({ groups: { registrarKey: 'AB'.repeat(32) } }) }), configError);
  assert.throws(() => loadConfig({ env, file: file({ groups: { rootWindowMinutes: -1 } }) }), configError);
});

test('issue 12: each issuer proves one statement (variant); defaults from the kind, mismatches refused', () => {
  const c = loadConfig({ env, file: file({ issuers: [
    { kind: 'google', aud: 'g.apps.googleusercontent.com' },
    { kind: 'google', id: 'gmail', aud: 'g2', variant: 'oidc' },
    { kind: 'microsoft', aud: 'ms-client' },
    { kind: 'oidc', iss: 'https://id.example.org', aud: 'x' },
    { kind: 'dev' },
  ] }) });
  assert.deepEqual(c.issuers.map((i) => [i.id, i.variant]), [['google', 'google'], ['gmail', 'oidc'], ['microsoft', 'entra'], ['oidc', 'oidc'], ['dev', 'oidc']]);
  for (const bad of [
    { kind: 'google', aud: 'x', variant: 'entra' }, { kind: 'oidc', iss: 'https://id.example.org', aud: 'x', variant: 'google' },
    { kind: 'dev', variant: 'google' }, { kind: 'microsoft', aud: 'x', variant: 'oidc' }, { kind: 'google', aud: 'x', variant: 'gmail' },
  ]) {
    assert.throws(() => loadConfig({ env, file: file({ issuers: [bad] }) }), configError, JSON.stringify(bad));
  }
});

test('issue 12: Microsoft multi-tenant: the tenant is the group; tenants allowlist; the consumer tenant is never an organisation', async () => {
  const { issuerForIss, ENTRA_ISS_TEMPLATE } = await import('@veil/server');
  const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const other = '0a1b2c3d-0000-4000-8000-000000000001';
  const consumers = '9188040d-6c67-4c5b-b112-36a304b66dad';
  const c = loadConfig({ env, file: file({ issuers: [{ kind: 'microsoft', aud: 'ms-client' }, { kind: 'google', aud: 'g' }] }) });
  const ms = c.issuers[0]!;
  assert.deepEqual([ms.iss, ms.jwks, ms.authorizationEndpoint, ms.tenants], [
    ENTRA_ISS_TEMPLATE, 'https://login.microsoftonline.com/common/discovery/v2.0/keys', 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize', undefined,
  ]);
  const tenantIss = (t: string) => `https://login.microsoftonline.com/${t}/v2.0`;
  assert.equal(issuerForIss(c.issuers, tenantIss(tid))?.id, 'microsoft');
  assert.equal(issuerForIss(c.issuers, tenantIss(consumers)), undefined);
  assert.equal(issuerForIss(c.issuers, `${tenantIss(tid)}/`), undefined);
  assert.equal(issuerForIss(c.issuers, 'https://login.microsoftonline.com/common/v2.0'), undefined);
  assert.equal(issuerForIss(c.issuers, 'https://accounts.google.com')?.id, 'google');
  const listed = loadConfig({ env, file: file({ issuers: [{ kind: 'microsoft', aud: 'ms-client', tenants: [tid] }] }) });
  assert.equal(issuerForIss(listed.issuers, tenantIss(tid))?.id, 'microsoft');
  assert.equal(issuerForIss(listed.issuers, tenantIss(other)), undefined);
  // A single-tenant issuer is matched exactly, as any other.
  const single = loadConfig({ env, file: file({ issuers: [{ kind: 'microsoft', aud: 'ms-client', iss: tenantIss(tid) }] }) });
  assert.equal(issuerForIss(single.issuers, tenantIss(tid))?.id, 'microsoft');
  assert.equal(issuerForIss(single.issuers, tenantIss(other)), undefined);
  for (const bad of [{ tenants: [consumers] }, { tenants: [] }, { tenants: ['acme'] }, { tenants: [tid], iss: tenantIss(tid) }, { iss: tenantIss(consumers) }]) {
    assert.throws(() => loadConfig({ env, file: file({ issuers: [{ kind: 'microsoft', aud: 'ms-client', ...bad }] }) }), configError, JSON.stringify(bad));
  }
  assert.throws(() => loadConfig({ env, file: file({ issuers: [{ kind: 'google', aud: 'g', tenants: [tid] }] }) }), configError);
});

test('Microsoft: emailDomains makes memberships also bind one of those email domains; only for microsoft issuers', () => {
  const ms = (extra: Record<string, unknown>) => loadConfig({ env, file: file({ issuers: [{ kind: 'microsoft', aud: 'ms-client', ...extra }] }) }).issuers[0]!;
  assert.deepEqual(ms({ emailDomains: ['contoso.com', 'Fabrikam.example'] }).emailDomains, ['contoso.com', 'Fabrikam.example']);
  assert.equal(ms({}).emailDomains, undefined);
  for (const bad of [[], ['alice@contoso.com'], ['contoso com'], [''], ['x'.repeat(65)], ['bücher.example'], 'contoso.com', [42]]) {
    assert.throws(() => ms({ emailDomains: bad }), configError, JSON.stringify(bad));
  }
  for (const kind of ['google', 'oidc']) {
    assert.throws(() => loadConfig({ env, file: file({ issuers: [{ kind, aud: 'c', iss: 'https://issuer.example', emailDomains: ['contoso.com'] }] }) }), configError, kind);
  }
});
