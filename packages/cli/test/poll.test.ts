// `veil poll create|vote|show` and `veil verify-message` on a group post, against a real board
// process (bench/group-server.ts: real group-proof verifier, test CRS) whose `human` tree this test
// fills with registrar-signed insertions. The CLI proves for itself (4 proofs). This board runs no
// identity service, so nothing attests its registrar key: the commands refuse it unless told to
// take the board's word (--trust-server-registrar); the attested path is in group-join.test.ts.
// The binary runs for poll create, an exit-1 and an exit-2 refusal and verify-message; the other
// cases run the same command actions in this process (veil-in-process.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeGroupPost, generateMessageId, messageToField } from '@veil/crypto';
import { createBackend } from '@veil/prover';
import { makePerson, makeRegistrar, type Person } from '../../server/test/group-helpers.ts';
import { register as registerPoll } from '../src/commands/poll.ts';
import { veilInProcess } from './veil-in-process.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const VEIL = join(REPO, 'packages/cli/bin/veil.mjs');
const dir = mkdtempSync(join(tmpdir(), 'veil-cli-poll-'));
const reg = makeRegistrar();
let server: ChildProcess;
let url = '';
let alice: Person, bob: Person, carol: Person;

const TRUST = ['--trust-server-registrar'];
const secretFile = (name: string, p: Person) => {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ secret: p.secret }));
  return path;
};

function veil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VEIL, ...args], { timeout: 180_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  server = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'packages/server/bench/group-server.ts')], {
    env: { ...process.env, VEIL_BENCH_DB: 'sqlite', VEIL_REGISTRAR_KEY: reg.key.publicKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('server did not start')), 120_000);
    server.stdout!.on('data', (d) => {
      buf += d;
      const m = /PORT (\d+)/.exec(buf);
      if (m) { clearTimeout(t); resolve(`http://127.0.0.1:${m[1]}`); }
    });
  });
  [alice, bob, carol] = await Promise.all([makePerson(), makePerson(), makePerson()]);
  for (const [i, p] of [alice, bob].entries()) {
    const res = await fetch(`${url}/api/groups/updates`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reg.next({ group: 'human', action: 'insert', index: i, commitment: p.commitment }, Date.now())),
    });
    assert.equal(res.status, 201, await res.text());
  }
});
after(() => { server.kill('SIGKILL'); });

test('poll create, one vote per person, show re-verifies; refusals exit 1 with the reason', async () => {
  const a = secretFile('alice', alice);
  const b = secretFile('bob', bob);
  const c = secretFile('carol', carol);
  const created = await veil('poll', 'create', ...TRUST, '--server', url, '--group', 'human', '--secret', a, '--question', 'Tea or coffee?', '--option', 'tea', '--option', 'coffee');
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  assert.match(id, /^[0-9a-f]{32}$/);

  const cli = (...args: string[]) => veilInProcess(registerPoll, args);
  const v1 = await cli('poll', 'vote', ...TRUST, '--server', url, '--poll', id, '--option', '1', '--secret', a);
  assert.equal(v1.code, 0, v1.stderr);
  const again = await veil('poll', 'vote', ...TRUST, '--server', url, '--poll', id, '--option', '0', '--secret', a);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /ERR_NULLIFIER_USED: this person already voted/);
  const outsider = await cli('poll', 'vote', ...TRUST, '--server', url, '--poll', id, '--option', '0', '--secret', c);
  assert.equal(outsider.code, 1);
  assert.match(outsider.stderr, /ERR_NOT_GROUP_MEMBER/);
  const v2 = await cli('poll', 'vote', ...TRUST, '--server', url, '--poll', id, '--option', '0', '--secret', b);
  assert.equal(v2.code, 0, v2.stderr);

  const shown = await cli('poll', 'show', ...TRUST, '--server', url, '--poll', id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.deepEqual(JSON.parse(shown.stdout), {
    id, group: 'human', question: 'Tea or coffee?', options: [{ text: 'tea', votes: 1 }, { text: 'coffee', votes: 1 }], voters: 2,
  });

  // Without the flag, nothing vouches for the key the board names: refused before any proof.
  const unattested = await veil('poll', 'show', '--server', url, '--poll', id);
  assert.equal(unattested.code, 1);
  assert.match(unattested.stderr, /ERR_REGISTRAR_UNATTESTED/);
  const unattestedVote = await cli('poll', 'vote', '--server', url, '--poll', id, '--option', '0', '--secret', c);
  assert.equal(unattestedVote.code, 1);
  assert.match(unattestedVote.stderr, /ERR_REGISTRAR_UNATTESTED/);
  assert.match(shown.stderr, /WARNING: trusting the registrar key the board names/);

  const usage = await veil('poll', 'create', ...TRUST, '--server', url, '--group', 'human', '--secret', a, '--question', 'q', '--option', 'only one');
  assert.equal(usage.code, 2);
  const missing = await cli('poll', 'show', ...TRUST, '--server', url, '--poll', 'ab'.repeat(16));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /ERR_NOT_FOUND/);
});

test('verify-message covers a post made with a group proof', async () => {
  const backend = await createBackend({ crs: 'test' });
  let id: string;
  try {
    const leaves = await (await fetch(`${url}/api/groups/human/leaves`)).json() as { entries: { update: { commitment: string } }[] };
    const { createGroupTree } = await import('@veil/crypto');
    const tree = await createGroupTree(leaves.entries.map((e) => e.update.commitment));
    const post = { v: 1 as const, id: generateMessageId(), group: 'human', text: 'posted by one person of human', createdAt: Date.now() };
    const proof = await backend.proveGroup({ secret: bob.secret, merkleProof: tree.proof(1), scope: post.id, message: messageToField(encodeGroupPost(post)) });
    const res = await fetch(`${url}/api/groups/human/posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ post, proof }) });
    assert.equal(res.status, 201, await res.text());
    id = post.id;
  } finally {
    await backend.destroy();
  }
  const ok = await veil('verify-message', ...TRUST, '--server', url, id);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual({ ...JSON.parse(ok.stdout), root: undefined }, { valid: true, id, group: 'human', proof: 'group', root: undefined, groupSize: 2, crs: 'test' });
});
