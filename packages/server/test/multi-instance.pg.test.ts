// Two instances (two buildApp, each listening on its own port, each with its own pool) on one
// PostgreSQL schema, as behind a load balancer: the per-key post limit is shared, a like on one is
// seen by the other without waiting for the cache age bound (the clocks are frozen, so only the
// NOTIFY can refresh the other's cache), and a signed read made for one origin is refused by the other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '@veil/server';
import { makeFixture, type Fixture } from './app-fixture.ts';
import { makeStorage, nextFeedChange, schemaOf, signedHeaders, signedLike, signedPost } from './helpers.ts';

const A_ORIGIN = 'http://a.board.test';
const B_ORIGIN = 'http://b.board.test';
let a: Fixture;
let b: Fixture;
let storageB: Storage;
const url = (f: Fixture, path: string) => `http://127.0.0.1:${(f.app.server.address() as { port: number }).port}${path}`;

before(async () => {
  const storageA = await makeStorage();
  storageB = await makeStorage({ schema: schemaOf(storageA) });
  a = await makeFixture({ storage: storageA, origin: A_ORIGIN, rateLimit: { postsPerKey: 3 } });
  b = await makeFixture({ storage: storageB, origin: B_ORIGIN, rateLimit: { postsPerKey: 3 } });
  for (const f of [a, b]) await f.app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await b.close(); // its storage shares the schema: closed first, without dropping it
  await a.close();
});

const send = (f: Fixture, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
  fetch(url(f, path), {
    method: init.method ?? 'GET',
    headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });

test('the per-key post limit holds across instances', async () => {
  const k = await a.seedMembership('limit.test');
  const codes: number[] = [];
  for (const f of [a, b, a, b, a]) codes.push((await send(f, '/api/messages', { method: 'POST', body: signedPost(k, { group: 'limit.test' }, f.clock.t) })).status);
  assert.deepEqual(codes, [201, 201, 201, 429, 429]);
  assert.equal((await storageB.listMessages({ group: 'limit.test', internal: false, limit: 10 })).length, 3);
  // concurrent posts on both instances at once (each batches its counter updates): still exactly 3
  const k2 = await a.seedMembership('burst.test');
  const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => [a, b][i % 2]!).map((f) => send(f, '/api/messages', { method: 'POST', body: signedPost(k2, { group: 'burst.test' }, f.clock.t) })));
  assert.deepEqual(burst.map((r) => r.status).sort(), [201, 201, 201, ...Array(9).fill(429)]);
  assert.equal((await storageB.listMessages({ group: 'burst.test', internal: false, limit: 20 })).length, 3);
});

test('a like on one instance is seen by the other at once', async () => {
  const k = await a.seedMembership('like.test');
  const p = signedPost(k, { group: 'like.test', text: 'like me' }, a.clock.t);
  const posted = nextFeedChange(storageB);
  assert.equal((await send(a, '/api/messages', { method: 'POST', body: p })).status, 201);
  await posted; // the post's own notice has reached B: it cannot be mistaken for the like's
  const feed = '/api/messages?group=like.test&limit=5';
  const likesOnB = async () => ((await (await send(b, feed)).json()) as { messages: { likes: number }[] }).messages[0]!.likes;
  assert.equal(await likesOnB(), 0); // now cached on B
  assert.equal(await likesOnB(), 0);
  // B hears of the write through its storage (PostgreSQL NOTIFY), as its cache does
  const heard = nextFeedChange(storageB);
  const r = await send(a, '/api/likes', { method: 'POST', body: signedLike(k, p.message.id, 'like', a.clock.t) });
  assert.equal(r.status, 200);
  await heard;
  assert.equal(await likesOnB(), 1);
});

test('a signed read for one origin is refused by the other instance', async () => {
  const k = await a.seedMembership('origin.test');
  assert.equal((await send(a, '/api/messages', { method: 'POST', body: signedPost(k, { group: 'origin.test', internal: true }, a.clock.t) })).status, 201);
  const path = '/api/messages?group=origin.test&internal=true';
  const forA = signedHeaders(k, 'GET', path, a.clock.t, A_ORIGIN);
  assert.equal((await send(a, path, { headers: forA })).status, 200);
  const replayed = await send(b, path, { headers: forA });
  assert.equal(replayed.status, 401);
  assert.equal(((await replayed.json()) as { error: { code: string } }).error.code, 'ERR_SIGNATURE_INVALID');
  assert.equal((await send(b, path, { headers: signedHeaders(k, 'GET', path, b.clock.t, B_ORIGIN) })).status, 200);
});
