// `veil membership inspect` (each variant, the JSON contract) and `prove --variant` refusals through the real command (a child
// process), on the real expired tokens in ../shared/real-tokens (read there, never copied) and a
// minted one. No proofs are made here.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, ENTRA_CONSUMER_TENANT, generateEphemeralKey } from '@veil/crypto';
import { mintEntraToken, mintGoogleToken, TEST_TENANT } from '../../crypto/test/fixtures/tokens.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'veil.mjs');
const REAL = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'real-tokens');

function veil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, VEIL_CRS: 'test' }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface Report {
  variant: string;
  clauses: { name: string; ok: boolean; reason: string }[];
  sizes: { name: string; value: number; limit: number }[];
}

describe('veil membership inspect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-cli-inspect-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** The real token's path and a JWKS file holding its key. */
  const realPair = (name: string) => {
    const jwks = join(dir, `${name}.jwks.json`);
    writeFileSync(jwks, JSON.stringify({ keys: [JSON.parse(readFileSync(join(REAL, `${name}.jwk.json`), 'utf8'))] }));
    return { token: join(REAL, `${name}.jwt`), jwks };
  };

  it('a real Google Workspace token: every clause but the nonce passes, exit 1; the JSON has the contract shape', async () => {
    const p = realPair('02_google-workspace_supabase-auth');
    const r = await veil(['membership', 'inspect', '--token', p.token, '--jwks', p.jwks]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(Object.keys(report), ['variant', 'clauses', 'sizes']);
    assert.equal(report.variant, 'google');
    for (const c of report.clauses) assert.deepEqual(Object.keys(c), ['name', 'ok', 'reason']);
    for (const s of report.sizes) assert.deepEqual(Object.keys(s), ['name', 'value', 'limit']);
    assert.deepEqual(report.clauses.filter((c) => !c.ok), [{ name: 'nonce', ok: false, reason: 'not given' }]);
  });

  it('a real Microsoft consumer token is refused for the tenant statement; --variant oidc names the missing email', async () => {
    const p = realPair('07_entra-consumers-no-email_fastcrypto-a');
    const r = await veil(['membership', 'inspect', '--token', p.token, '--jwks', p.jwks]);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.variant, 'entra');
    assert.match(report.clauses.find((c) => c.name === 'tid')!.reason, /personal-accounts/);
    const o = JSON.parse((await veil(['membership', 'inspect', '--variant', 'oidc', '--token', p.token, '--jwks', p.jwks])).stdout) as Report;
    assert.equal(o.variant, 'oidc');
    assert.match(o.clauses.find((c) => c.name === 'email')!.reason, /no email claim/);
  });

  it('a minted token with its nonce inputs passes every clause (exit 0); bad flags are usage errors (exit 2)', async () => {
    const { publicKey } = generateEphemeralKey();
    const expiry = 1767225600;
    const m = await mintGoogleToken({ epk: publicKey, salt: 42n, expiry, keyId: 'inspect' });
    const token = join(dir, 'minted.jwt');
    const jwks = join(dir, 'minted.jwks.json');
    writeFileSync(token, `${m.token}\n`);
    writeFileSync(jwks, JSON.stringify({ keys: [m.jwk] }));
    const nonceFlags = ['--epk', bytesToHex(publicKey), '--salt', '2a', '--expiry', String(expiry)];
    const ok = await veil(['membership', 'inspect', '--token', token, '--jwks', jwks, ...nonceFlags]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.ok((JSON.parse(ok.stdout) as Report).clauses.every((c) => c.ok));
    assert.equal((await veil(['membership', 'inspect', '--token', token, '--jwks', jwks, '--epk', bytesToHex(publicKey)])).code, 2);
    assert.equal((await veil(['membership', 'inspect', '--token', token, '--jwks', jwks, '--variant', 'microsoft'])).code, 2);
    assert.equal((await veil(['membership', 'inspect', '--token', token])).code, 2);

    // prove --variant entra: a circuit exists, but a Google token is no tenant's — the pre-checks say
    // so and no bundle is written (entra proves: packages/prover/test/membership-entra.test.ts).
    const out = join(dir, 'bundle.json');
    const prove = (extra: string[]) => veil(['membership', 'prove', '--token', token, '--jwks', jwks, ...nonceFlags, '--out', out, ...extra]);
    const r = await prove(['--variant', 'entra']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^veil: ERR_CLAIM_INVALID: iss .* is not https:\/\/login\.microsoftonline\.com\//m);
    assert.equal(existsSync(out), false);
    assert.equal((await prove(['--variant', 'nope'])).code, 2);
  });

  it('--variant entra on an organisation token: tid, iss/tid agreement, ver, consumer tenant and xms_edov clauses', async () => {
    const { publicKey } = generateEphemeralKey();
    const expiry = 1767225600;
    const nonceFlags = ['--epk', bytesToHex(publicKey), '--salt', '2a', '--expiry', String(expiry)];
    const run = async (name: string, claims: Record<string, unknown>) => {
      const m = await mintEntraToken({ epk: publicKey, salt: 42n, expiry, keyId: 'inspect-entra', claims });
      const token = join(dir, `${name}.jwt`);
      const jwks = join(dir, `${name}.jwks.json`);
      writeFileSync(token, m.token);
      writeFileSync(jwks, JSON.stringify({ keys: [m.jwk] }));
      const r = await veil(['membership', 'inspect', '--variant', 'entra', '--token', token, '--jwks', jwks, ...nonceFlags]);
      return { code: r.code, report: JSON.parse(r.stdout) as Report };
    };
    const ok = await run('entra-ok', {});
    assert.equal(ok.code, 0);
    assert.deepEqual(Object.keys(ok.report), ['variant', 'clauses', 'sizes']);
    assert.equal(ok.report.variant, 'entra');
    assert.deepEqual(ok.report.clauses.map((c) => c.name), ['signature', 'iss', 'ver', 'aud', 'tid', 'email', 'verified', 'nonce', 'expiry', 'top-level-keys', 'duplicates', 'sizes']);
    for (const c of ok.report.clauses) assert.deepEqual(Object.keys(c), ['name', 'ok', 'reason']);
    assert.equal(ok.report.clauses.find((c) => c.name === 'verified')!.reason, 'xms_edov "1"');
    const failing = (r: { report: Report }) => r.report.clauses.filter((c) => !c.ok);
    const consumer = await run('entra-consumer', { tid: ENTRA_CONSUMER_TENANT });
    assert.equal(consumer.code, 1);
    assert.deepEqual(failing(consumer).map((c) => c.name), ['tid']);
    assert.match(failing(consumer)[0]!.reason, /personal-accounts tenant/);
    const split = await run('entra-split', { iss: `https://login.microsoftonline.com/${TEST_TENANT.replace('4f', '5f')}/v2.0` });
    assert.deepEqual(failing(split).map((c) => c.name), ['iss']);
    const v1 = await run('entra-v1', { ver: '1.0' });
    assert.deepEqual(failing(v1), [{ name: 'ver', ok: false, reason: 'ver is "1.0", expected "2.0"' }]);
  });
});
