// The registrar's crash window: the process dies after sending an update — once after the board
// applied it, once before it arrived, once in the middle of a replacement (remove applied, insert
// never sent). A registrar restarted on the same data dir and store resends the pending update
// byte for byte, the board acknowledges or applies it, and the sequence, the leaf indices and
// "one commitment per person" carry on without a gap or a second leaf. (Before the write-ahead
// entry, the first case left every later update refused with ERR_REGISTRAR_SEQUENCE.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { deriveCommitment, generateIdentitySecret } from '@veil/crypto';
import { createRegistrar, type Registrar } from '../../../src/enroll/registrar/index.ts';
import { openSqliteIdentityStore, type IdentityStore } from '../../../src/enroll/storage/index.ts';
import { M_IDENTITY, startBoardReplica } from '../helpers.ts';

const code = (c: string) => (e: { code?: string }) => { assert.equal(e.code, c); return true; };
const uid = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

test('registrar: a crash between sending an update and recording it is repaired by the resend at restart', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-registrar-crash-'));
  let key = '';
  const board = await startBoardReplica(() => key);
  const producer = await createSimulationProducer({ dataDir: dir, measurement: M_IDENTITY });
  // The next POST "kills the process": after the board got it, or before it left.
  let crash: 'after' | 'before' | undefined;
  const dying: typeof fetch = async (url, init) => {
    const mode = init?.method === 'POST' ? crash : undefined;
    if (!mode) return fetch(url, init);
    crash = undefined;
    if (mode === 'after') await (await fetch(url, init)).arrayBuffer();
    throw new Error('the process died');
  };
  let store: IdentityStore | undefined;
  const start = async (): Promise<Registrar> => {
    await store?.close();
    store = openSqliteIdentityStore({ path: join(dir, 'identity.sqlite') });
    const r = await createRegistrar({ producer, dataDir: dir, store, boardUrl: board.url, fetch: dying });
    key = r.publicKey;
    return r;
  };
  const c = await Promise.all(Array.from({ length: 7 }, () => deriveCommitment(generateIdentitySecret())));
  try {
    let r = await start();
    assert.deepEqual(await r.register({ uid: uid(1), group: 'human', commitment: c[0]!, replace: false }), { group: 'human', leafIndex: 0, size: 1 });

    // 1. Applied by the board, not recorded here.
    crash = 'after';
    await assert.rejects(r.register({ uid: uid(2), group: 'human', commitment: c[1]!, replace: false }), code('ERR_BOARD_UNREACHABLE'));
    assert.equal(board.received.length, 2);
    assert.equal(await store!.registrarSeq(), 1);
    assert.equal((await store!.pendingGroupUpdate())?.seq, 2);
    r = await start();
    assert.deepEqual(await r.register({ uid: uid(3), group: 'human', commitment: c[2]!, replace: false }), { group: 'human', leafIndex: 2, size: 3 });
    assert.equal(await store!.registrarSeq(), 3);
    assert.equal(await store!.pendingGroupUpdate(), undefined);
    await assert.rejects(r.register({ uid: uid(2), group: 'human', commitment: c[3]!, replace: false }), code('ERR_ALREADY_REGISTERED'), 'the crashed registration was recorded');

    // 2. Never reached the board.
    crash = 'before';
    await assert.rejects(r.register({ uid: uid(4), group: 'human', commitment: c[3]!, replace: false }), code('ERR_BOARD_UNREACHABLE'));
    assert.equal(board.received.length, 3);
    r = await start();
    assert.deepEqual(await r.register({ uid: uid(5), group: 'human', commitment: c[4]!, replace: false }), { group: 'human', leafIndex: 4, size: 5 });
    assert.deepEqual(board.received.map((u) => [u.seq, u.index, u.commitment]), [1, 2, 3, 4, 5].map((seq, i) => [seq, i, c[i]]));

    // 3. A replacement: the removal applied, then the crash; the retry inserts only.
    crash = 'after';
    await assert.rejects(r.register({ uid: uid(1), group: 'human', commitment: c[5]!, replace: true }), code('ERR_BOARD_UNREACHABLE'));
    r = await start();
    assert.deepEqual(await r.register({ uid: uid(1), group: 'human', commitment: c[5]!, replace: true }), { group: 'human', leafIndex: 5, size: 5 });
    assert.deepEqual(board.received.slice(5).map((u) => [u.seq, u.action, u.index]), [[6, 'remove', 0], [7, 'insert', 5]]);
    assert.equal(board.trees.get('human')!.indexOf(c[0]!), -1);

    // The board unreachable at start: the resend waits for the next registration.
    crash = 'after';
    await assert.rejects(r.register({ uid: uid(6), group: 'human', commitment: c[6]!, replace: false }), code('ERR_BOARD_UNREACHABLE'));
    crash = 'before';
    r = await start(); // its start-up resend dies too
    assert.equal((await store!.pendingGroupUpdate())?.seq, 8);
    await assert.rejects(r.register({ uid: uid(6), group: 'human', commitment: c[6]!, replace: false }), code('ERR_ALREADY_REGISTERED'), 'resent first, then found registered');
    assert.equal(await store!.registrarSeq(), 8);
    assert.equal(board.received.length, 8);
  } finally {
    await store?.close();
    await board.close();
    await rm(dir, { recursive: true, force: true });
  }
});
