// `veil keygen` and `veil membership nonce|prove|verify` through the real command (a child
// process), asserting on exit codes, files and one-line reasons. One real proof for the file; the
// soundness cases run with --unchecked so that only the circuit stands between the token and a
// bundle — they must fail and leave no output file. The binary runs for each subcommand's success
// and an exit-1 and exit-2 case of each; the other cases run the same command actions in this
// process (veil-in-process.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, generateEphemeralKey, hexToBytes, nonce } from '@veil/crypto';
import { mintGoogleToken, testKey } from '../../crypto/test/fixtures/tokens.ts';
import { register as registerMembership } from '../src/commands/membership.ts';
import { veilInProcess } from './veil-in-process.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'veil.mjs');
const GOOGLE = 'https://accounts.google.com';
const AUD = '1234567890-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com';

process.env.VEIL_CRS = 'test'; // what the spawned runs get, for the in-process ones
const cli = (args: string[]) => veilInProcess(registerMembership, args);

function veil(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, VEIL_CRS: 'test', ...env }, timeout: 600_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('veil keygen / membership', () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-cli-membership-'));
  const { publicKey } = generateEphemeralKey();
  const epk = bytesToHex(publicKey);
  const salt = '2a';
  const expiry = Math.floor(Date.now() / 1000) + 86400;
  const jwksPath = join(dir, 'jwks.json');
  const bundlePath = join(dir, 'bundle.json');
  let tokenPath: string;

  async function tokenFile(name: string, claims?: Record<string, unknown>): Promise<string> {
    const { token, jwk } = await mintGoogleToken({ epk: publicKey, salt: 42n, expiry, keyId: 'cli', ...(claims ? { claims } : {}) });
    writeFileSync(jwksPath, JSON.stringify({ keys: [jwk, testKey('cli-other').jwk] }));
    const path = join(dir, `${name}.jwt`);
    writeFileSync(path, `${token}\n`);
    return path;
  }
  const proveArgs = (token: string, out: string, extra: string[] = []) =>
    ['membership', 'prove', '--token', token, '--jwks', jwksPath, '--epk', epk, '--salt', salt, '--expiry', String(expiry), '--out', out, ...extra];

  before(async () => {
    tokenPath = await tokenFile('good');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keygen prints an Ed25519 key pair as hex JSON', async () => {
    const r = await veil(['keygen']);
    assert.equal(r.code, 0);
    const { secretKey, publicKey: pk } = JSON.parse(r.stdout) as { secretKey: string; publicKey: string };
    assert.match(secretKey, /^[0-9a-f]{64}$/);
    assert.equal(pk, bytesToHex(ed25519.getPublicKey(hexToBytes(secretKey))));
  });

  it('nonce prints exactly the library nonce; bad flags are usage errors', async () => {
    const r = await veil(['membership', 'nonce', '--epk', epk, '--salt', salt, '--expiry', String(expiry)]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${await nonce(publicKey, hexToBytes(salt), expiry)}\n`);
    assert.equal((await veil(['membership', 'nonce', '--epk', 'abcd', '--salt', salt, '--expiry', '1'])).code, 2);
    assert.equal((await cli(['membership', 'nonce', '--epk', epk, '--salt', salt, '--expiry', 'soon'])).code, 2);
    assert.equal((await cli(['membership', 'nonce', '--epk', epk, '--expiry', '1'])).code, 2);
  });

  it('prove --variant google proves a Google Workspace token with the hd statement and verify checks it (exit 0), warning about the test CRS', async () => {
    const p = await veil(proveArgs(tokenPath, bundlePath, ['--variant', 'google']));
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stderr, /INSECURE test CRS/);
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as { variant: string; circuit: { name: string }; claims: { domain: string; epk: string } };
    assert.deepEqual([bundle.variant, bundle.circuit.name], ['google', 'membership-google']);
    assert.equal(bundle.claims.domain, 'acme.com');
    assert.equal(bundle.claims.epk, epk);
    const v = await veil(['membership', 'verify', bundlePath, '--jwks', jwksPath, '--iss', GOOGLE, '--aud', AUD, '--domain', 'acme.com', '--variant', 'google']);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual((({ domain, variant }) => ({ domain, variant }))(JSON.parse(v.stdout) as { domain: string; variant: string }), { domain: 'acme.com', variant: 'google' });
    const oidc = await cli(['membership', 'verify', bundlePath, '--jwks', jwksPath, '--iss', GOOGLE, '--aud', AUD, '--variant', 'oidc']);
    assert.equal(oidc.code, 1);
    assert.match(oidc.stderr, /ERR_VARIANT_MISMATCH/);
    assert.equal((await cli(['membership', 'verify', bundlePath, '--jwks', jwksPath, '--iss', GOOGLE, '--aud', AUD, '--variant', 'gmail'])).code, 2);
  });

  it('issue 8, finding 3: verify needs --iss and --aud; --any-audience skips the audience loudly', async () => {
    for (const [i, args] of [['--aud', AUD], ['--iss', GOOGLE], ['--iss', GOOGLE, '--aud', AUD, '--any-audience'], []].entries()) {
      const r = await (i === 0 ? veil : cli)(['membership', 'verify', bundlePath, '--jwks', jwksPath, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
    }
    const diag = await cli(['membership', 'verify', bundlePath, '--jwks', jwksPath, '--iss', GOOGLE, '--any-audience']);
    assert.equal(diag.code, 0, diag.stderr);
    assert.match(diag.stderr, /WARNING: --any-audience: the audience is NOT checked/);
  });

  it('verify exits 1 with one reason line for an invalid bundle or unmet expectation', async () => {
    const wrongAud = await veil(['membership', 'verify', bundlePath, '--jwks', jwksPath, '--iss', GOOGLE, '--aud', 'someone-else']);
    assert.equal(wrongAud.code, 1);
    assert.match(wrongAud.stderr, /ERR_AUD_MISMATCH/);
    const production = await veil(['membership', 'verify', bundlePath, '--jwks', jwksPath, '--iss', GOOGLE, '--aud', AUD], { VEIL_CRS: '' });
    assert.equal(production.code, 1);
    assert.match(production.stderr, /ERR_CRS_NOT_ACCEPTED/);
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as { claims: { expiry: number } };
    bundle.claims.expiry += 60;
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(bundle));
    const t = await cli(['membership', 'verify', tampered, '--jwks', jwksPath, '--iss', GOOGLE, '--aud', AUD]);
    assert.equal(t.code, 1);
    assert.match(t.stderr, /ERR_PROOF_INVALID/);
    assert.equal(t.stderr.trim().split('\n').filter((l) => !l.includes('warning')).length, 1);
  });

  it('verify exits 2 on usage errors', async () => {
    assert.equal((await cli(['membership', 'verify', bundlePath])).code, 2);
    assert.equal((await cli(['membership', 'verify', join(dir, 'missing.json'), '--jwks', jwksPath, '--iss', GOOGLE, '--aud', AUD])).code, 2);
    assert.equal((await cli(['membership', 'verify'])).code, 2);
  });

  const oidc = ['--variant', 'oidc'];
  const mustFail: Array<[string, Record<string, unknown>, string[], boolean]> = [
    ['email_verified:false', { email_verified: false }, oidc, true],
    ['domain suffix attack (alice@evilacme.com as acme.com)', { email: 'alice@evilacme.com' }, [...oidc, '--domain', 'acme.com'], false],
    ['domain prefix attack (alice@acme.com.evil.org as acme.com)', { email: 'alice@acme.com.evil.org' }, [...oidc, '--domain', 'acme.com'], false],
    // No --variant: google, chosen from iss (under oidc this token would prove acme.com from its email).
    // Another hd, hd a suffix or prefix of the domain and the rest run as witnesses (unchecked
    // inputs) in circuits/test/membership-google.test.ts.
    ['google: a consumer account (no hd) with an @acme.com address', { hd: undefined }, ['--domain', 'acme.com'], false],
  ];
  for (const [i, [name, claims, extra, alsoChecked]] of mustFail.entries()) {
    it(`--unchecked: the circuit refuses ${name}; no output file`, async () => {
      const token = await tokenFile(name.replace(/\W+/g, '-'), claims);
      const out = join(dir, 'never.json');
      const r = await (i === 0 ? veil : cli)(proveArgs(token, out, ['--unchecked', ...extra]));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ERR_STATEMENT_UNSATISFIED/);
      assert.equal(existsSync(out), false);
      if (alsoChecked) {
        const checked = await cli(proveArgs(token, out, extra));
        assert.equal(checked.code, 1, 'the TypeScript pre-checks refuse it too');
        assert.match(checked.stderr, /ERR_EMAIL_UNVERIFIED/);
        assert.equal(existsSync(out), false);
      }
    });
  }
});
