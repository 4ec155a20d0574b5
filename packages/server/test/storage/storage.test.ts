// The Storage interface directly, on SQLite or PostgreSQL: memberships (idempotent, renewal,
// conflict), message id uniqueness, feed order and filters, likes, issuer keys, migrations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isVeilError } from '@veil/crypto';
import type { Storage, MembershipRow } from '@veil/server';
import { makeStorage, newKey } from '../helpers.ts';

let s: Storage;
before(async () => { s = await makeStorage(); });
after(async () => { await s.close(); });

function membership(epk: string, over: Partial<MembershipRow> = {}): MembershipRow {
  const claims = { iss: 'https://i.test', aud: 'a', domain: 'acme.test', epk, expiry: 2_000_000_000, kid: 'k1' };
  return {
    epk, group: 'acme.test', iss: 'https://i.test', kid: 'k1', expiry: 2_000_000_000, circuitId: 'c'.repeat(64), createdAt: 1,
    bundle: { v: 1, circuit: { name: 'membership', id: 'c'.repeat(64) }, crs: { id: 'aztec-ignition', kind: 'aztec' }, claims, proof: 'AAAA' },
    ...over,
  };
}

test('memberships: created, unchanged, renewed (same group, later expiry), conflict otherwise', async () => {
  const epk = newKey().publicKey;
  const m = membership(epk);
  assert.equal(await s.putMembership(m), 'created');
  assert.equal(await s.putMembership({ ...m, createdAt: 99 }), 'unchanged');
  const later = membership(epk, { expiry: 2_000_000_100 });
  later.bundle = { ...later.bundle, claims: { ...later.bundle.claims, expiry: 2_000_000_100 }, proof: 'BBBB' };
  assert.equal(await s.putMembership(later), 'renewed');
  assert.equal((await s.getMembershipStatus(epk))!.expiry, 2_000_000_100);
  const other = membership(epk, { group: 'globex.test' });
  other.bundle = { ...other.bundle, claims: { ...other.bundle.claims, domain: 'globex.test' }, proof: 'CCCC' };
  await assert.rejects(s.putMembership(other), (e) => isVeilError(e, 'ERR_MEMBERSHIP_CONFLICT'));
  const earlier = membership(epk, { expiry: 1_900_000_000 });
  earlier.bundle = { ...earlier.bundle, proof: 'DDDD' };
  await assert.rejects(s.putMembership(earlier), (e) => isVeilError(e, 'ERR_MEMBERSHIP_CONFLICT'));
  const got = await s.getMembership(epk);
  assert.equal(got!.group, 'acme.test');
  assert.equal(got!.bundle.proof, 'BBBB');
  assert.equal(await s.getMembership(newKey().publicKey), null);
});

test('messages: unique ids, newest first, public/internal/group filters, before-cursor', async () => {
  const epk = newKey().publicKey;
  const base = { group: 'feed.test', text: 't', createdAt: 1, epk, signature: 'ab'.repeat(64), receivedAt: 1 };
  const a = await s.insertMessage({ ...base, id: 'a'.repeat(32), internal: false });
  const b = await s.insertMessage({ ...base, id: 'b'.repeat(32), internal: true });
  const c = await s.insertMessage({ ...base, id: 'c'.repeat(32), internal: false, text: 'ünïcødé 😀' });
  assert.ok(a.seq < b.seq && b.seq < c.seq);
  await assert.rejects(s.insertMessage({ ...base, id: 'a'.repeat(32), internal: true }), (e) => isVeilError(e, 'ERR_MESSAGE_ID_TAKEN'));
  assert.deepEqual((await s.listMessages({ group: 'feed.test', internal: false, limit: 10 })).map((m) => m.id), ['c'.repeat(32), 'a'.repeat(32)]);
  assert.deepEqual((await s.listMessages({ group: 'feed.test', internal: true, limit: 10 })).map((m) => m.id), ['b'.repeat(32)]);
  assert.deepEqual((await s.listMessages({ group: 'feed.test', internal: false, before: c.seq, limit: 10 })).map((m) => m.id), ['a'.repeat(32)]);
  assert.equal((await s.listMessages({ internal: true, limit: 10 })).length, 0); // no cross-group internal feed
  const got = await s.getMessage('c'.repeat(32));
  assert.equal(got!.text, 'ünïcødé 😀');
  assert.equal(got!.internal, false);
  assert.equal(got!.likes, 0);
});

test('likes: atomic count, replay ordering, unknown message', async () => {
  const epk = newKey().publicKey;
  const id = 'd'.repeat(32);
  await s.insertMessage({ id, group: 'l.test', internal: false, text: 't', createdAt: 1, epk, signature: 'ab'.repeat(64), receivedAt: 1 });
  const k1 = newKey().publicKey;
  const k2 = newKey().publicKey;
  assert.deepEqual(await s.applyLike({ messageId: id, epk: k1, liked: true, createdAt: 10 }), { liked: true, likes: 1 });
  assert.deepEqual(await s.applyLike({ messageId: id, epk: k2, liked: true, createdAt: 10 }), { liked: true, likes: 2 });
  await assert.rejects(s.applyLike({ messageId: id, epk: k1, liked: false, createdAt: 10 }), (e) => isVeilError(e, 'ERR_LIKE_REPLAY'));
  assert.deepEqual(await s.applyLike({ messageId: id, epk: k1, liked: false, createdAt: 11 }), { liked: false, likes: 1 });
  await assert.rejects(s.applyLike({ messageId: 'e'.repeat(32), epk: k1, liked: true, createdAt: 12 }), (e) => isVeilError(e, 'ERR_NOT_FOUND'));
  assert.equal((await s.getMessage(id))!.likes, 1);
});

test('issuer keys: first seen kept, last seen updated, never deleted', async () => {
  await s.recordIssuerKeys('https://k.test', [{ kid: 'a', jwk: { kty: 'RSA', n: 'n1', e: 'AQAB' } }], 100);
  await s.recordIssuerKeys('https://k.test', [{ kid: 'a', jwk: { kty: 'RSA', n: 'changed', e: 'AQAB' } }, { kid: 'b', jwk: { kty: 'RSA', n: 'n2', e: 'AQAB' } }], 200);
  await s.recordIssuerKeys('https://k.test', [{ kid: 'b', jwk: { kty: 'RSA', n: 'n2', e: 'AQAB' } }], 300);
  const keys = await s.listIssuerKeys('https://k.test');
  assert.deepEqual(keys.map((k) => [k.kid, k.firstSeen, k.lastSeen, k.jwk.n]), [['a', 100, 100, 'n1'], ['b', 200, 300, 'n2']]);
  assert.equal((await s.getIssuerKey('https://k.test', 'a'))!.jwk.n, 'n1'); // a kid is never re-bound to another key
  assert.equal(await s.getIssuerKey('https://k.test', 'zz'), null);
});

test('driver errors become coded VeilErrors (never a bare driver error): PostgreSQL refuses U+0000, SQLite stores it', async () => {
  const nul = 'https://k.test\u0000';
  if (s.kind === 'postgres') {
    await assert.rejects(s.getIssuerKey(nul, 'a'), (e) => isVeilError(e, 'ERR_INPUT_REFUSED'));
    await assert.rejects(s.recordIssuerKeys(nul, [{ kid: 'a', jwk: { kty: 'RSA', n: 'n', e: 'AQAB' } }], 1), (e) => isVeilError(e, 'ERR_INPUT_REFUSED'));
    await assert.rejects(
      s.insertMessage({ id: 'f'.repeat(32), group: 'nul.test', internal: false, text: 'a\u0000b', createdAt: 1, epk: newKey().publicKey, signature: 'ab'.repeat(64), receivedAt: 1 }),
      (e) => isVeilError(e, 'ERR_INPUT_REFUSED'),
    );
    assert.equal(await s.getMessage('f'.repeat(32)), null);
  } else {
    // the backends disagree here, which is why every schema refuses U+0000 before storage
    assert.equal(await s.getIssuerKey(nul, 'a'), null);
  }
});
