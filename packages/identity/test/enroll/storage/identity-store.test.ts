// Runs on SQLite in the default pass and on PostgreSQL in the --pg pass (own schema per test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresIdentityStore, openSqliteIdentityStore, type IdentityStore } from '../../../src/enroll/storage/index.ts';

const usePg = !!process.env.VEIL_TEST_PG;

async function open(): Promise<{ store: IdentityStore; done(): Promise<void> }> {
  if (usePg) {
    const store = await openPostgresIdentityStore({ connectionString: process.env.DATABASE_URL!, schema: `veil_id_${randomBytes(6).toString('hex')}`, dropSchemaOnClose: true });
    return { store, done: () => store.close() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'veil-idstore-'));
  const store = openSqliteIdentityStore({ path: join(dir, 'identity.sqlite') });
  return { store, async done() { await store.close(); await rm(dir, { recursive: true, force: true }); } };
}

const uidA = 'a1'.repeat(32);
const uidB = 'b2'.repeat(32);
const k1 = { alg: 'ed25519' as const, publicKey: '11'.repeat(32) };
const k2 = { alg: 'secp256k1' as const, publicKey: '02' + '22'.repeat(32) };

test(`identity store (${usePg ? 'PostgreSQL' : 'SQLite'}): keys link to one UID only`, async () => {
  const { store, done } = await open();
  try {
    assert.equal(await store.linkKey(uidA, k1), 'linked');
    assert.equal(await store.linkKey(uidA, k1), 'already');
    assert.equal(await store.linkKey(uidA, k2), 'linked');
    await assert.rejects(store.linkKey(uidB, k1), (e: { code?: string }) => e.code === 'ERR_KEY_LINKED_ELSEWHERE');
    assert.equal(await store.uidOfKey(k1), uidA);
    assert.equal(await store.uidOfKey(k2), uidA);
    assert.equal(await store.uidOfKey({ alg: 'ed25519', publicKey: '33'.repeat(32) }), undefined);
  } finally { await done(); }
});

test(`identity store (${usePg ? 'PostgreSQL' : 'SQLite'}): one participation per UID and context, also concurrently`, async () => {
  const { store, done } = await open();
  try {
    const results = await Promise.all(Array.from({ length: 20 }, () => store.participate('poll-1', uidA)));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await store.participate('poll-1', uidB), true);
    assert.equal(await store.participate('poll-2', uidA), true);
    assert.equal(await store.participate('poll-2', uidA), false);
  } finally { await done(); }
});

test(`identity store (${usePg ? 'PostgreSQL' : 'SQLite'}): registrar leaves and sequence, compare-and-set, concurrently too`, async () => {
  const { store, done } = await open();
  try {
    const m = 'cd'.repeat(32);
    assert.equal(await store.registrarSeq(), 0);
    assert.equal(await store.groupLeaf(m), undefined);
    assert.equal(await store.recordGroupLeaf(m, 3, 0, 1), false, 'expected a registration that is not there');
    assert.equal(await store.recordGroupLeaf(m, undefined, 0, 1), true);
    assert.equal(await store.groupLeaf(m), 0);
    assert.equal(await store.registrarSeq(), 1);
    assert.equal(await store.recordGroupLeaf(m, undefined, 5, 2), false, 'a second first registration');
    assert.equal(await store.recordGroupLeaf(m, 0, 5, 1), false, 'a sequence number not above the last');
    assert.equal(await store.groupLeaf(m), 0, 'nothing changed by refused writes');
    const both = await Promise.all([store.recordGroupLeaf(m, 0, 6, 2), store.recordGroupLeaf(m, 0, 7, 3)]);
    assert.equal(both.filter(Boolean).length, 1, 'one of two racing replacements wins');
  } finally { await done(); }
});

test(`identity store (${usePg ? 'PostgreSQL' : 'SQLite'}): one registrar update in flight, written ahead and cleared by its record`, async () => {
  const { store, done } = await open();
  try {
    const m = 'ef'.repeat(32);
    const update = { v: 1 as const, seq: 1, group: 'member:acme.test', action: 'insert' as const, index: 0, commitment: '12'.repeat(32), createdAt: 1_700_000_000_000 };
    const p = { seq: 1, member: m, expected: undefined, leafIndex: 0, update, signature: '34'.repeat(64) };
    assert.equal(await store.pendingGroupUpdate(), undefined);
    assert.equal(await store.beginGroupUpdate({ ...p, seq: 2 }), false, 'not the next sequence number');
    assert.equal(await store.beginGroupUpdate(p), true);
    assert.deepEqual(await store.pendingGroupUpdate(), p);
    assert.equal(await store.beginGroupUpdate(p), false, 'one in flight at a time');
    await store.abandonGroupUpdate(1);
    assert.equal(await store.pendingGroupUpdate(), undefined);
    const raced = await Promise.all([store.beginGroupUpdate(p), store.beginGroupUpdate({ ...p, leafIndex: 9 })]);
    assert.equal(raced.filter(Boolean).length, 1);
    assert.equal(await store.recordGroupLeaf(m, undefined, (await store.pendingGroupUpdate())!.leafIndex, 1), true);
    assert.equal(await store.pendingGroupUpdate(), undefined, 'recorded: no longer pending');
    assert.equal(await store.registrarSeq(), 1);
    assert.equal(await store.beginGroupUpdate({ ...p, seq: 2, expected: 0, update: { ...update, seq: 2 } }), true);
    assert.equal((await store.pendingGroupUpdate())?.expected, 0);
  } finally { await done(); }
});
