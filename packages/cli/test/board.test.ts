// The board client commands against a real server process (the bench server: memberships for the
// test keys are stored as the membership route stores them; proofs are exercised in the e2e test).
// The binary runs once per command plus an exit-1 and an exit-2 case; the other cases run the same
// command actions in this process (veil-in-process.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { register as registerBoard } from '../src/commands/board.ts';
import { veilInProcess } from './veil-in-process.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const VEIL = join(REPO, 'packages/cli/bin/veil.mjs');
const dir = mkdtempSync(join(tmpdir(), 'veil-cli-board-'));
let server: ChildProcess;
let url = '';

function keyFile(name: string): { path: string; publicKey: string } {
  const sk = ed25519.utils.randomSecretKey();
  const k = { secretKey: bytesToHex(sk), publicKey: bytesToHex(ed25519.getPublicKey(sk)) };
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(k));
  return { path, publicKey: k.publicKey };
}
const member = keyFile('member');
const outsider = keyFile('outsider');

function veil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VEIL, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  writeFileSync(join(dir, 'keys.json'), JSON.stringify([member.publicKey]));
  server = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'packages/server/bench/api-server.ts')], {
    env: { ...process.env, VEIL_BENCH_DB: 'sqlite', VEIL_BENCH_KEYS: join(dir, 'keys.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('server did not start')), 60_000);
    server.stdout!.on('data', (d) => {
      buf += d;
      const m = /PORT (\d+)/.exec(buf);
      if (m) { clearTimeout(t); resolve(`http://127.0.0.1:${m[1]}`); }
    });
  });
});
after(() => { server.kill('SIGKILL'); });
const cli = (...args: string[]) => veilInProcess(registerBoard, args);

test('post, read, read --internal, like: exit codes and outputs', async () => {
  const pub = await veil('post', '--server', url, '--key', member.path, '--group', 'bench.test', '--text', 'from the CLI');
  assert.equal(pub.code, 0, pub.stderr);
  const id = pub.stdout.trim();
  assert.match(id, /^[0-9a-f]{32}$/);
  const internal = await cli('post', '--server', url, '--key', member.path, '--group', 'bench.test', '--internal', '--text', 'members only');
  assert.equal(internal.code, 0, internal.stderr);
  const iid = internal.stdout.trim();

  const read = await veil('read', '--server', url);
  assert.equal(read.code, 0, read.stderr);
  const feed = JSON.parse(read.stdout) as { messages: { message: { id: string; text: string } }[] };
  assert.ok(feed.messages.some((m) => m.message.id === id && m.message.text === 'from the CLI'));
  assert.ok(!feed.messages.some((m) => m.message.id === iid));

  const board = await cli('read', '--server', url, '--group', 'bench.test', '--internal', '--key', member.path);
  assert.equal(board.code, 0, board.stderr);
  assert.ok((JSON.parse(board.stdout) as typeof feed).messages.some((m) => m.message.id === iid));

  const denied = await veil('read', '--server', url, '--group', 'bench.test', '--internal', '--key', outsider.path);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /ERR_NOT_MEMBER/);

  const like = await veil('like', '--server', url, '--key', member.path, id);
  assert.equal(like.code, 0, like.stderr);
  assert.deepEqual(JSON.parse(like.stdout), { messageId: id, liked: true, likes: 1 });
  const unlike = await cli('like', '--server', url, '--key', member.path, '--unlike', id);
  assert.equal(JSON.parse(unlike.stdout).likes, 0);
});

test('failures: non-member post exits 1, usage errors exit 2, unreachable server exits 1', async () => {
  const r = await cli('post', '--server', url, '--key', outsider.path, '--group', 'bench.test', '--text', 'x');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ERR_NOT_MEMBER/);
  const usage = [
    await veil('post', '--server', url, '--group', 'bench.test', '--text', 'x'),
    await cli('post', '--server', url, '--key', join(dir, 'missing.json'), '--group', 'bench.test', '--text', 'x'),
    await cli('like', '--server', url, '--key', member.path, 'not-an-id'),
    await cli('read', '--server', url, '--internal'),
    await cli('read', '--server', 'ftp://x'),
  ];
  assert.deepEqual(usage.map((u) => u.code), [2, 2, 2, 2, 2]);
  const down = await cli('read', '--server', 'http://127.0.0.1:1');
  assert.equal(down.code, 1);
  assert.match(down.stderr, /ERR_SERVER_UNREACHABLE/);
  const bad = join(dir, 'bad-bundle.json');
  writeFileSync(bad, JSON.stringify({ v: 1 }));
  const join1 = await veil('join', '--server', url, '--bundle', bad);
  assert.equal(join1.code, 1);
  assert.match(join1.stderr, /ERR_VALIDATION/);
});
