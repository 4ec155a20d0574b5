// The README's "Command line" section, run exactly as written against a real `veil serve`
// (development profile, random port) through VEIL_SERVER, with a fresh XDG_CONFIG_HOME and without
// VEIL_CRS (the CLI must learn the test CRS from the server). Also `veil login`'s browser path
// (--no-browser: the printed URL, the loopback redirect, the code exchange) and its refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authorizeWithDevIssuer } from '@veil/dev-issuer/sign-in';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const VEIL = join(REPO, 'packages/cli/bin/veil.mjs');
const dir = mkdtempSync(join(tmpdir(), 'veil-readme-'));
let server: ChildProcess;
let url = '';

/** The commands of the README's first ```sh block under "## Command line". */
function readmeLines(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.split(/^## Command line$/m)[1];
  assert.ok(section, 'README.md has a "## Command line" section');
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'the section starts with a sh block');
  return block.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

interface Run { code: number; stdout: string; stderr: string }

function env(xdg: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, VEIL_SERVER: url, XDG_CONFIG_HOME: xdg };
  delete e.VEIL_CRS;
  return e;
}

function sh(line: string, xdg: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd: REPO, env: env(xdg), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

before(async () => {
  const port = await new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  url = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [VEIL, 'serve', '--port', String(port), '--data', join(dir, 'data')], {
    cwd: REPO, env: { ...process.env, VEIL_CONFIG: '', PORT: '', DATABASE_URL: '' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  server.stderr!.on('data', (d) => (log += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`veil serve exited:\n${log}`);
    if (await fetch(`${url}/api/config`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`veil serve did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
});

after(() => {
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test("the README's command-line sequence works as pasted", { timeout: 10 * 60_000 }, async () => {
  const lines = readmeLines();
  assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 3).join(' ')), ['npx veil login', 'npx veil post', 'npx veil read', 'npx veil verify-message']);
  const xdg = join(dir, 'xdg');
  let id = '';
  const results: Run[] = [];
  for (const line of lines) {
    const r = await sh(line.replace('<id>', id), xdg);
    assert.equal(r.code, 0, `${line}\n${r.stderr}`);
    results.push(r);
    if (line.startsWith('npx veil post')) id = r.stdout.trim();
  }
  const [login, post, read, verify] = results as [Run, Run, Run, Run];
  assert.match(login.stdout, new RegExp(`Signed in to ${url} as a member of acme\\.test`));
  assert.match(login.stderr, /proof ready/);
  assert.match(login.stderr, /WARNING: INSECURE TEST CRS/);
  const file = join(xdg, 'veil', 'logins.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(xdg, 'veil')).mode & 0o777, 0o700);
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { current: string; logins: Record<string, { group: string; key: { publicKey: string } }> };
  assert.equal(stored.current, url);
  assert.equal(stored.logins[url]!.group, 'acme.test');

  assert.match(id, /^[0-9a-f]{32}$/);
  assert.match(post.stderr, new RegExp(`${url}/p/${id}`));
  const feed = JSON.parse(read.stdout) as { messages: { message: { id: string; epk: string; text: string } }[] };
  const mine = feed.messages.find((m) => m.message.id === id);
  assert.equal(mine?.message.text, 'Hello from the command line');
  assert.equal(mine?.message.epk, stored.logins[url]!.key.publicKey);
  const verdict = JSON.parse(verify.stdout) as { valid: boolean; id: string; group: string; crs: string };
  assert.deepEqual([verdict.valid, verdict.id, verdict.group, verdict.crs], [true, id, 'acme.test', 'test']);
  assert.match(verify.stderr, /WARNING: INSECURE TEST CRS/);

  // What the permalink page prints works too; friendly one-line errors for what newcomers get wrong.
  const permalink = await sh(`npx veil verify-message --server ${url} ${id}`, join(dir, 'nobody'));
  assert.equal(permalink.code, 0, permalink.stderr);
  const internal = await sh("npx veil post --internal --text 'members only'", xdg);
  assert.equal(internal.code, 0, internal.stderr);
  const anon = await sh(`npx veil verify-message ${internal.stdout.trim()}`, join(dir, 'nobody'));
  assert.equal(anon.code, 1);
  assert.match(anon.stderr, /^veil: ERR_NOT_FOUND: .*members-only board, reading it needs a member's key/);
  const [blank, long] = await Promise.all([sh("npx veil post --text '  '", xdg), sh(`npx veil post --text ${'x'.repeat(2001)}`, xdg)]);
  for (const r of [blank, long]) {
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^veil: ERR_TEXT_LENGTH: a post needs 1 to 2,000 characters of text, not only spaces/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  const noLogin = await sh("npx veil post --text 'hi'", join(dir, 'nobody'));
  assert.equal(noLogin.code, 2);
  assert.match(noLogin.stderr, /^veil: ERR_USAGE: no key for .*run `veil login/);
});

test('veil login --no-browser: prints the URL, takes the loopback redirect, exchanges the code; refuses failures before proving', { timeout: 120_000 }, async () => {
  const xdg = join(dir, 'xdg-browser');
  // eve's email is not verified: the whole sign-in runs, then the pre-check refuses before the prover starts.
  const child = spawn(process.execPath, [VEIL, 'login', '--no-browser'], { cwd: REPO, env: env(xdg), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const authUrl = new Promise<string>((resolve) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /^ {2}(http\S+)$/m.exec(stderr);
      if (m) resolve(m[1]!);
    });
  });
  const exited = new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  const auth = new URL(await authUrl);
  assert.equal(auth.searchParams.get('response_type'), 'code');
  assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
  const redirectUri = auth.searchParams.get('redirect_uri')!;
  assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  const back = await authorizeWithDevIssuer({ authorizationUrl: auth.href, redirectUri, account: 'eve@acme.test' });
  const page = await fetch(back);
  assert.match(await page.text(), /Signed in/);
  assert.equal(await exited, 1);
  assert.match(stderr, /veil: ERR_EMAIL_UNVERIFIED: /);
  assert.doesNotMatch(stderr, /proving membership/);
  assert.throws(() => statSync(join(xdg, 'veil', 'logins.json')));

  // A redirect that does not carry this sign-in's state is refused.
  const forged = spawn(process.execPath, [VEIL, 'login', '--no-browser'], { cwd: REPO, env: env(xdg), stdio: ['ignore', 'pipe', 'pipe'] });
  let err2 = '';
  const uri2 = new Promise<string>((resolve) => {
    forged.stderr.on('data', (d) => {
      err2 += d;
      const m = /^ {2}(http\S+)$/m.exec(err2);
      if (m) resolve(new URL(m[1]!).searchParams.get('redirect_uri')!);
    });
  });
  const done2 = new Promise<number>((r) => forged.on('close', (c) => r(c ?? 1)));
  await (await fetch(`${await uri2}?code=stolen&state=not-this-one`)).text();
  assert.equal(await done2, 1);
  assert.match(err2, /veil: ERR_LOGIN_FAILED: the answer does not belong to this sign-in \(state mismatch\)/);

  const dev = await sh('npx veil login --dev-account nobody@acme.test', xdg);
  assert.equal(dev.code, 1);
  assert.match(dev.stderr, /ERR_LOGIN_FAILED: no development account nobody@acme\.test/);
  const issuer = await sh('npx veil login --issuer google', xdg);
  assert.equal(issuer.code, 2);
  assert.match(issuer.stderr, /ERR_USAGE: --issuer google: this server has no such issuer \(it has: dev\)/);
});
