// `veil membership inspect|prove|verify --email-domain` for the entra statement, on Entra-shaped
// tokens minted in Microsoft's claim order (crypto/test/fixtures/tokens.ts). One real proof for the
// file (a bundle binding the email domain), reused by every verify case; the refusals at prove time
// are the TypeScript pre-checks and the flag checks, which make no proof and write no file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { mintEntraToken, TEST_TENANT } from '../../crypto/test/fixtures/tokens.ts';
import { register as registerMembership } from '../src/commands/membership.ts';
import { veilInProcess } from './veil-in-process.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'veil.mjs');
const ISS = `https://login.microsoftonline.com/${TEST_TENANT}/v2.0`;
const AUD = '6e5d4c3b-2a19-4f08-b7e6-d5c4b3a29180';

process.env.VEIL_CRS = 'test'; // what the spawned run gets, for the in-process ones
const cli = (args: string[]) => veilInProcess(registerMembership, args);

function veil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, VEIL_CRS: 'test' }, timeout: 600_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface Report {
  variant: string;
  clauses: { name: string; ok: boolean; reason: string }[];
  sizes: { name: string; value: number; limit: number }[];
}

describe('veil membership --email-domain (entra)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-cli-entra-'));
  const { publicKey } = generateEphemeralKey();
  const expiry = Math.floor(Date.now() / 1000) + 86400;
  const keyFlags = ['--epk', bytesToHex(publicKey), '--salt', '2a', '--expiry', String(expiry)];
  const bundlePath = join(dir, 'bundle.json');
  let jwksPath: string;
  let tokenPath: string;

  /** A minted Entra token (the default one: alice@contoso.example, xms_edov "1") and its JWKS file. */
  async function tokenFile(name: string, claims?: Record<string, unknown>): Promise<{ token: string; jwks: string }> {
    const m = await mintEntraToken({ epk: publicKey, salt: 42n, expiry, keyId: `cli-entra-${name}`, ...(claims ? { claims } : {}) });
    const token = join(dir, `${name}.jwt`);
    const jwks = join(dir, `${name}.jwks.json`);
    writeFileSync(token, `${m.token}\n`);
    writeFileSync(jwks, JSON.stringify({ keys: [m.jwk] }));
    return { token, jwks };
  }
  const prove = (t: { token: string; jwks: string }, out: string, extra: string[]) =>
    ['membership', 'prove', '--token', t.token, '--jwks', t.jwks, ...keyFlags, '--out', out, ...extra];
  const verify = (extra: string[]) => ['membership', 'verify', bundlePath, '--jwks', jwksPath, '--iss', ISS, '--aud', AUD, ...extra];

  before(async () => {
    ({ token: tokenPath, jwks: jwksPath } = await tokenFile('good'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('inspect --email-domain reports the binding in the email and verified clauses, in the contract shape', async () => {
    const inspect = (t: { token: string; jwks: string }, domain: string) => cli(['membership', 'inspect', '--token', t.token, '--jwks', t.jwks, ...keyFlags, '--email-domain', domain]);
    const ok = await inspect({ token: tokenPath, jwks: jwksPath }, 'contoso.example');
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const report = JSON.parse(ok.stdout) as Report;
    assert.deepEqual(Object.keys(report), ['variant', 'clauses', 'sizes']);
    for (const c of report.clauses) assert.deepEqual(Object.keys(c), ['name', 'ok', 'reason']);
    for (const s of report.sizes) assert.deepEqual(Object.keys(s), ['name', 'value', 'limit']);
    assert.equal(report.variant, 'entra');
    const clause = (r: Report, name: string) => r.clauses.find((c) => c.name === name)!;
    assert.equal(clause(report, 'verified').reason, 'xms_edov "1"');
    // Without the flag the email is informative: the reason says it is not bound.
    const unbound = JSON.parse((await cli(['membership', 'inspect', '--token', tokenPath, '--jwks', jwksPath, ...keyFlags])).stdout) as Report;
    assert.match(clause(unbound, 'email').reason, /not bound/);
    assert.equal(clause(report, 'email').reason, 'email domain "contoso.example"; bound (the tenant must vouch for it: xms_edov)');

    const other = await inspect({ token: tokenPath, jwks: jwksPath }, 'fabrikam.example');
    assert.equal(other.code, 1);
    assert.deepEqual((JSON.parse(other.stdout) as Report).clauses.filter((c) => !c.ok).map((c) => c.name), ['email']);
    const noEdov = await inspect(await tokenFile('inspect-no-edov', { xms_edov: undefined }), 'contoso.example');
    assert.equal(noEdov.code, 1);
    assert.deepEqual((JSON.parse(noEdov.stdout) as Report).clauses.filter((c) => !c.ok), [
      { name: 'verified', ok: false, reason: 'token has no xms_edov claim: the tenant does not vouch for the email domain' },
    ]);
    assert.equal((await cli(['membership', 'inspect', '--token', tokenPath, '--jwks', jwksPath, '--variant', 'oidc', '--email-domain', 'contoso.example'])).code, 2);
  });

  it('prove --email-domain binds the domain; verify --email-domain accepts it and refuses another with ERR_EMAIL_DOMAIN_MISMATCH', async () => {
    const p = await veil(prove({ token: tokenPath, jwks: jwksPath }, bundlePath, ['--email-domain', 'contoso.example']));
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /entra membership of 4f7c1e2a-93b5-4d0e-8a6f-2b1c9d3e5f70 \(email domain contoso\.example\)/);
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as { variant: string; claims: { domain: string; emailDomain?: string } };
    assert.deepEqual([bundle.variant, bundle.claims.domain, bundle.claims.emailDomain], ['entra', TEST_TENANT, 'contoso.example']);

    const v = await veil(verify(['--email-domain', 'contoso.example', '--variant', 'entra', '--domain', TEST_TENANT]));
    assert.equal(v.code, 0, v.stderr);
    assert.equal((JSON.parse(v.stdout) as { emailDomain: string }).emailDomain, 'contoso.example');
    const other = await cli(verify(['--email-domain', 'fabrikam.example']));
    assert.equal(other.code, 1);
    assert.equal(other.stdout, '');
    assert.match(other.stderr, /^veil: ERR_EMAIL_DOMAIN_MISMATCH: email domain contoso\.example is not accepted \(required: fabrikam\.example\)$/m);
    // The same bundle stripped of its domain is refused on the claims, before any proof check.
    const { emailDomain: _e, ...unboundClaims } = bundle.claims;
    const unbound = join(dir, 'unbound.json');
    writeFileSync(unbound, JSON.stringify({ ...bundle, claims: unboundClaims }));
    const u = await cli(['membership', 'verify', unbound, '--jwks', jwksPath, '--iss', ISS, '--aud', AUD, '--email-domain', 'contoso.example']);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /^veil: ERR_EMAIL_DOMAIN_MISMATCH: the bundle binds no email domain/m);
    // Only entra binds an email domain: asking for it with another statement is a usage error.
    assert.equal((await cli(verify(['--email-domain', 'contoso.example', '--variant', 'google']))).code, 2);
    assert.equal((await cli(verify(['--email-domain', 'alice@contoso.example']))).code, 2);
  });

  it('prove --email-domain refuses a token that cannot bind it, and any variant but entra; no bundle is written', async () => {
    const out = join(dir, 'never.json');
    const cases: Array<[string, Record<string, unknown> | undefined, string[], number, RegExp]> = [
      ['no xms_edov', { xms_edov: undefined }, ['--email-domain', 'contoso.example'], 1,
        /^veil: ERR_CLAIM_MISSING: token has no xms_edov claim: the tenant does not vouch for the email domain$/m],
      ['xms_edov "0"', { xms_edov: '0' }, ['--email-domain', 'contoso.example'], 1, /^veil: ERR_EMAIL_UNVERIFIED: token xms_edov is "0", not true or "1"$/m],
      ['another domain than the email\'s', undefined, ['--email-domain', 'fabrikam.example'], 1, /^veil: ERR_DOMAIN_MISMATCH: email domain "contoso\.example" is not "fabrikam\.example"$/m],
      ['--variant oidc', undefined, ['--variant', 'oidc', '--email-domain', 'contoso.example'], 2, /^veil: ERR_USAGE: --email-domain: only the entra statement binds an email domain, not oidc/m],
      ['--variant google', undefined, ['--variant', 'google', '--email-domain', 'contoso.example'], 2, /^veil: ERR_USAGE: --email-domain: only the entra statement binds an email domain, not google/m],
    ];
    for (const [i, [what, claims, extra, exit, message]] of cases.entries()) {
      const t = claims ? await tokenFile(what.replace(/\W+/g, '-'), claims) : { token: tokenPath, jwks: jwksPath };
      const r = await (i === 0 ? veil : cli)(prove(t, out, extra));
      assert.equal(r.code, exit, `${what}: ${r.stderr}`);
      assert.match(r.stderr, message, what);
      assert.equal(existsSync(out), false, what);
    }
  });
});
