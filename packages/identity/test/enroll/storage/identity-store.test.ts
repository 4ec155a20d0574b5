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
