// `veil group join` end to end on a real `veil serve` (development profile: dev registry over TLS,
// simulated UID node, identity service whose registrar feeds the board's trees): two people enroll
// and join `human`, vote in a poll, the tally shows two votes; the same person through another
// linked key gets no second commitment, and re-voting is 409; `country:XX` admits only the
// person's own country, `age:18+` refuses the under-18 test person; a replacement (lost device)
// removes the old leaf. Then the unlinkability scan: nothing in the board's database or logs links
// a vote to a commitment, a UID or a key (4 proofs in all: poll create, two votes, the re-vote).
// Last, member:acme.test from the board's own dev issuer's ID tokens.
// Each command's exit-code contract is kept by spawning the binary for one success and one refusal
// (serve, enroll, join, poll create, vote); the other cases run the same actions in this process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { deriveCommitment } from '@veil/crypto';
import { signInWithDevIssuer } from '@veil/dev-issuer';
import { freePort } from '@veil/server';
import { register as registerGroup } from '../src/commands/group.ts';
import { register as registerIdentity } from '../src/commands/identity.ts';
import { register as registerKeygen } from '../src/commands/keygen.ts';
import { register as registerPoll } from '../src/commands/poll.ts';
import { veilInProcess } from './veil-in-process.ts';

const VEIL = fileURLToPath(new URL('../bin/veil.mjs', import.meta.url));

function veil(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [VEIL, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (code) => res({ code, stdout, stderr }));
  });
}

/** Every row of every table of a SQLite file, as `table: json` lines. */
function dumpSqlite(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    return tables.flatMap((t) => (db.prepare(`SELECT * FROM "${t}"`).all() as object[]).map((r) => `${t}: ${JSON.stringify(r)}`));
  } finally {
    db.close();
  }
}

test('veil group join: registrar-fed human/country/age groups, one vote per person, nothing links a vote to a person', { timeout: 900_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-cli-group-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const { VEIL_REGISTRAR_KEY: _configured, ...env } = process.env;
  const server = spawn(process.execPath, [VEIL, 'serve', '--port', String(port), '--data', data], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, PORT: '', VEIL_CONFIG: '', DATABASE_URL: '' },
  });
  let logs = '';
  server.stdout.on('data', (d) => (logs += d));
  server.stderr.on('data', (d) => (logs += d));
  const url = `http://127.0.0.1:${port}`;
  const secrets: Record<string, string> = {};
  const commitments: string[] = [];
  const publicKeys: string[] = [];
  let pollId = '';
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`veil serve exited: ${logs}`);
      if (await fetch(`${url}/api/config`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`veil serve did not come up: ${logs}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const config = await (await fetch(`${url}/api/config`)).json();
    const groups = await (await fetch(`${url}/api/groups`)).json();
    assert.match(groups.registrar, /^[0-9a-f]{64}$/, 'development: the board trusts the identity service\'s registrar');
    const trust = ['--allow-simulation', '--expect-measurement', config.enclave.measurement as string];

    const keys: Record<string, string> = {};
    for (const name of ['zoe', 'zoe2', 'juergen', 'lucas']) {
      const k = await veilInProcess(registerKeygen, ['keygen']);
      keys[name] = join(dir, `${name}.key.json`);
      writeFileSync(keys[name]!, k.stdout);
      publicKeys.push(JSON.parse(k.stdout).publicKey);
    }
    const credential = async (id: string) => (await (await fetch(`${url}/api/dev-registry/people/${id}/credential`, { method: 'POST' })).json()).credential as string;
    const claims: Record<string, string> = {};
    for (const id of ['zoe', 'juergen', 'lucas']) {
      claims[id] = join(dir, `${id}.claims.json`);
      const args = ['identity', 'enroll', '--server', url, '--provider', 'dev-registry', '--credential', await credential(id), '--key', keys[id]!, '--out', claims[id]!, ...trust];
      const e = id === 'zoe' ? await veil(args, dir) : await veilInProcess(registerIdentity, args);
      assert.equal(e.code, 0, e.stderr);
    }
    const l = await veilInProcess(registerIdentity, ['identity', 'link', '--server', url, '--key', keys.zoe2!, '--claims', claims.zoe!, ...trust]);
    assert.equal(l.code, 0, l.stderr);

    const secretPath = (name: string) => join(dir, `${name}.secret.json`);
    const joinArgs = (group: string, person: string, key: string, secret: string, extra: string[]) =>
      ['group', 'join', '--server', url, '--group', group, '--claims', claims[person]!, '--key', keys[key]!, '--secret', secretPath(secret), ...trust, ...extra];
    const spawnJoin = (group: string, person: string, key: string, secret: string, ...extra: string[]) => veil(joinArgs(group, person, key, secret, extra), dir);
    const join_ = (group: string, person: string, key: string, secret: string, ...extra: string[]) => veilInProcess(registerGroup, joinArgs(group, person, key, secret, extra));

    const z = await spawnJoin('human', 'zoe', 'zoe', 'zoe');
    assert.equal(z.code, 0, z.stderr);
    assert.deepEqual(JSON.parse(z.stdout), { group: 'human', leafIndex: 0, size: 1 });
    assert.equal(statSync(secretPath('zoe')).mode & 0o777, 0o600, 'the identity secret is created private');
    const j = await join_('human', 'juergen', 'juergen', 'juergen');
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), { group: 'human', leafIndex: 1, size: 2 });
    for (const name of ['zoe', 'juergen']) {
      secrets[name] = JSON.parse(readFileSync(secretPath(name), 'utf8')).secret;
      commitments.push(await deriveCommitment(secrets[name]!));
    }

    // The same person through another linked key and a new secret: no second commitment.
    const twice = await spawnJoin('human', 'zoe', 'zoe2', 'zoe-second');
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /ERR_ALREADY_REGISTERED/);
    // Someone else's claims with one's own key: refused (claims and key must be one person).
    const borrowed = await join_('country:DE', 'juergen', 'zoe', 'zoe');
    assert.equal(borrowed.code, 1);
    assert.match(borrowed.stderr, /ERR_CLAIMS_NOT_YOURS/);
    // Countries and ages come from the attested claims only.
    const ie = await join_('country:IE', 'zoe', 'zoe2', 'zoe');
    assert.equal(ie.code, 0, ie.stderr);
    assert.deepEqual(JSON.parse(ie.stdout), { group: 'country:IE', leafIndex: 0, size: 1 });
    const de = await join_('country:DE', 'zoe', 'zoe', 'zoe');
    assert.equal(de.code, 1);
    assert.match(de.stderr, /ERR_NOT_ELIGIBLE/);
    assert.equal((await spawnJoin('country:ie', 'zoe', 'zoe', 'zoe')).code, 2, 'usage: not an upper-case country code');
    const minor = await join_('age:18+', 'lucas', 'lucas', 'lucas');
    assert.equal(minor.code, 1);
    assert.match(minor.stderr, /ERR_NOT_ELIGIBLE/);
    const adult = await join_('age:18+', 'juergen', 'juergen', 'juergen');
    assert.equal(adult.code, 0, adult.stderr);
    const tampered = JSON.parse(readFileSync(claims.lucas!, 'utf8'));
    tampered.claims.age_over_18 = true;
    claims.forged = join(dir, 'forged.claims.json');
    writeFileSync(claims.forged, JSON.stringify(tampered));
    const forged = await join_('age:18+', 'forged', 'lucas', 'lucas');
    assert.equal(forged.code, 1);
    assert.match(forged.stderr, /ERR_CLAIMS_SIGNATURE_INVALID/);

    // The poll: two people, two votes; a second vote with the same secret is 409.
    const created = await veil(['poll', 'create', '--server', url, '--group', 'human', '--secret', secretPath('zoe'), '--question', 'Tea or coffee?', '--option', 'tea', '--option', 'coffee', ...trust], dir);
    assert.equal(created.code, 0, created.stderr);
    pollId = created.stdout.trim();
    const voteArgs = (secret: string, option: string) => ['poll', 'vote', '--server', url, '--poll', pollId, '--option', option, '--secret', secretPath(secret), ...trust];
    const vote = (secret: string, option: string) => veilInProcess(registerPoll, voteArgs(secret, option));
    const v1 = await veil(voteArgs('zoe', '0'), dir);
    assert.equal(v1.code, 0, v1.stderr);
    const v2 = await vote('juergen', '1');
    assert.equal(v2.code, 0, v2.stderr);
    const again = await vote('zoe', '1');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /ERR_NULLIFIER_USED/);
    const shown = await veilInProcess(registerPoll, ['poll', 'show', '--server', url, '--poll', pollId, ...trust]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout), { id: pollId, group: 'human', question: 'Tea or coffee?', options: [{ text: 'tea', votes: 1 }, { text: 'coffee', votes: 1 }], voters: 2 });
    // The registrar key is the one the identity service's evidence binds, checked like the service:
    // simulated evidence needs --allow-simulation, another build's measurement is refused.
    const noSim = await veil(['poll', 'show', '--server', url, '--poll', pollId, '--expect-measurement', config.enclave.measurement], dir);
    assert.equal(noSim.code, 1);
    assert.match(noSim.stderr, /ERR_SIMULATION_NOT_ALLOWED/);
    const otherBuild = await veilInProcess(registerPoll, ['poll', 'show', '--server', url, '--poll', pollId, '--allow-simulation', '--expect-measurement', '0'.repeat(64)]);
    assert.equal(otherBuild.code, 1);
    assert.match(otherBuild.stderr, /ERR_MEASUREMENT_MISMATCH/);

    // Lost device: an explicit replacement removes the old leaf and inserts the new one.
    const replaced = await join_('human', 'zoe', 'zoe2', 'zoe-second', '--replace');
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.deepEqual(JSON.parse(replaced.stdout), { group: 'human', leafIndex: 2, size: 2 });
    secrets['zoe-second'] = JSON.parse(readFileSync(secretPath('zoe-second'), 'utf8')).secret;
    commitments.push(await deriveCommitment(secrets['zoe-second']!));
    const log = await (await fetch(`${url}/api/groups/human/leaves`)).json();
    assert.deepEqual(log.entries.map((e: { update: { action: string; index: number } }) => [e.update.action, e.update.index]), [['insert', 0], ['insert', 1], ['remove', 0], ['insert', 2]]);
    const old = await vote('zoe', '0');
    assert.equal(old.code, 1, 'the removed leaf can no longer act');
    assert.match(old.stderr, /ERR_NOT_GROUP_MEMBER/);

    // member:acme.test from ID tokens of the board's dev issuer: one account is one person across
    // sign-ins; the token is bound to the group and the commitment by its nonce.
    const dev = config.issuers.find((i: { kind: string }) => i.kind === 'dev');
    const memberToken = async (account: string, secret: string, spawned = false) => {
      const nonceArgs = ['group', 'nonce', '--group', 'member:acme.test', '--secret', secretPath(secret)];
      const n = spawned ? await veil(nonceArgs, dir) : await veilInProcess(registerGroup, nonceArgs);
      assert.equal(n.code, 0, n.stderr);
      const path = join(dir, `${secret}.id.jwt`);
      writeFileSync(path, await signInWithDevIssuer({ authorizationEndpoint: dev.authorizationEndpoint, clientId: dev.aud, redirectUri: `${url}/callback`, nonce: n.stdout.trim(), account }));
      return path;
    };
    const memberArgs = (secret: string, token: string, extra: string[]) =>
      ['group', 'join', '--server', url, '--group', 'member:acme.test', '--token', token, '--secret', secretPath(secret), ...trust, ...extra];
    const member = (secret: string, token: string, ...extra: string[]) => veilInProcess(registerGroup, memberArgs(secret, token, extra));
    const alice = await veil(memberArgs('alice', await memberToken('alice@acme.test', 'alice', true), []), dir);
    assert.equal(alice.code, 0, alice.stderr);
    assert.deepEqual(JSON.parse(alice.stdout), { group: 'member:acme.test', leafIndex: 0, size: 1 });
    const aliceAgain = await member('alice-laptop', await memberToken('alice@acme.test', 'alice-laptop'), '--replace');
    assert.equal(aliceAgain.code, 0, aliceAgain.stderr);
    assert.deepEqual(JSON.parse(aliceAgain.stdout), { group: 'member:acme.test', leafIndex: 1, size: 1 }, 'a second sign-in of one account replaces, never adds');
    const stolen = await member('bob', join(dir, 'alice.id.jwt'));
    assert.equal(stolen.code, 1);
    assert.match(stolen.stderr, /ERR_NONCE_MISMATCH/);
    assert.equal((await veilInProcess(registerGroup, ['group', 'join', '--server', url, '--group', 'member:acme.test', '--claims', claims.zoe!, '--key', keys.zoe!, '--secret', secretPath('zoe'), ...trust])).code, 2, 'usage: member groups take --token');
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  }

  // Unlinkability: the board's rows and logs never put a vote next to a commitment, a UID, a key
  // or an identity secret. Commitments are public leaves, so they may appear only in the tree's
  // own rows (the leaf log, and a group's root: a one-leaf LeanIMT's root is its leaf).
  const uids = [...new Set(dumpSqlite(join(data, 'enclave', 'identity.sqlite')).filter((r) => r.startsWith('identity_keys:')).map((r) => JSON.parse(r.slice(15)).uid as string))];
  assert.equal(uids.length, 3, 'three enrolled people');
  const board = dumpSqlite(join(data, 'veil.sqlite'));
  const votes = board.filter((r) => r.startsWith('votes:'));
  assert.equal(votes.length, 2);
  const persons = [...uids, ...publicKeys, ...Object.values(secrets)];
  for (const needle of persons) {
    assert.deepEqual(board.filter((r) => r.includes(needle)), [], 'no UID, user key or identity secret in the board database');
    assert.ok(!logs.includes(needle), 'no UID, user key or identity secret in the logs');
  }
  for (const c of commitments) {
    assert.deepEqual(board.filter((r) => r.includes(c) && !r.startsWith('group_log:') && !r.startsWith('groups:')), [], 'a commitment only in the tree');
    assert.ok(!logs.includes(c), 'no commitment in the logs');
    for (const v of votes) assert.ok(!v.includes(c));
  }
  // The registrar's own table holds keyed hashes and indices only: no UID, no commitment.
  const members = dumpSqlite(join(data, 'enclave', 'identity.sqlite')).filter((r) => r.startsWith('identity_group_members:'));
  assert.equal(members.length, 5, 'zoe human, zoe country:IE, juergen human, juergen age:18+, alice member:acme.test (lucas none)');
  for (const r of members) for (const needle of [...uids, ...commitments]) assert.ok(!r.includes(needle));
  rmSync(dir, { recursive: true, force: true });
});
