// POST/GET /api/messages on the storage under test (SQLite by default, PostgreSQL in test:pg).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeFixture, type Fixture } from '../app-fixture.ts';
import { newKey, nextFeedChange, rawQuery, signedHeaders, signedPost } from '../helpers.ts';

let f: Fixture;
before(async () => { f = await makeFixture({ rateLimit: { postsPerKey: 0 } }); });
after(async () => { await f.close(); });

const post = (body: unknown, headers: Record<string, string> = {}) => f.app.inject({ method: 'POST', url: '/api/messages', payload: body as object, headers });
const count = async () => (await f.storage.listMessages({ internal: false, limit: 1000 })).length + (await f.storage.listMessages({ group: 'acme.test', internal: true, limit: 1000 })).length;
const code = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;

test('a member posts; the post is in the feed, the group feed and by id with everything to re-verify', async () => {
  const alice = await f.seedMembership('acme.test');
  const p = signedPost(alice, { group: 'acme.test', text: 'first post' }, f.clock.t);
  const r = await post(p);
  assert.equal(r.statusCode, 201, r.body);
  assert.deepEqual(r.json().message, p.message);
  assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
  const feed = (await f.app.inject({ url: '/api/messages' })).json();
  assert.ok(feed.messages.some((m: { message: { id: string } }) => m.message.id === p.message.id));
  const g = (await f.app.inject({ url: '/api/messages?group=acme.test' })).json();
  assert.equal(g.messages[0].message.id, p.message.id);
  const other = (await f.app.inject({ url: '/api/messages?group=globex.test' })).json();
  assert.equal(other.messages.length, 0);
  const one = await f.app.inject({ url: `/api/messages/${p.message.id}` });
  assert.equal(one.statusCode, 200);
  const d = one.json();
  assert.equal(d.signature, p.signature);
  assert.equal(d.membership.epk, alice.publicKey);
  assert.equal(d.membership.bundle.claims.domain, 'acme.test');
  assert.equal(d.issuerKey.kid, f.issuer.keys[0]!.kid);
  assert.equal(d.issuerKey.jwk.n, f.issuer.keys[0]!.n);
  assert.equal(d.likes, 0);
});

test('forged or tampered signatures are rejected and store nothing', async () => {
  const alice = await f.seedMembership('acme.test');
  const mallory = newKey();
  const before = await count();
  const p = signedPost(alice, { group: 'acme.test' }, f.clock.t);
  const forged = signedPost(mallory, { group: 'acme.test' }, f.clock.t);
  for (const body of [
    { ...p, message: { ...p.message, text: 'changed' } },
    { ...forged, message: { ...forged.message, epk: alice.publicKey } }, // signed by another key
    { ...p, signature: p.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
  ]) {
    const r = await post(body);
    assert.equal(r.statusCode, 401, r.body);
    assert.equal(code(r), 'ERR_SIGNATURE_INVALID');
  }
  assert.equal(await count(), before);
});

test('StealthNote: visibility and id are covered by the signature (no flip to public, no replay under a new id)', async () => {
  const alice = await f.seedMembership('acme.test');
  const p = signedPost(alice, { group: 'acme.test', internal: true, text: 'members only' }, f.clock.t);
  assert.equal((await post(p)).statusCode, 201);
  const flipped = await post({ ...p, message: { ...p.message, internal: false } });
  assert.equal(flipped.statusCode, 401);
  assert.equal(code(flipped), 'ERR_SIGNATURE_INVALID');
  const reId = await post({ ...p, message: { ...p.message, id: 'ab'.repeat(16) } });
  assert.equal(code(reId), 'ERR_SIGNATURE_INVALID');
  const regroup = await post({ ...p, message: { ...p.message, group: 'globex.test' } });
  assert.equal(code(regroup), 'ERR_SIGNATURE_INVALID');
  const replay = await post(p);
  assert.equal(replay.statusCode, 409);
  assert.equal(code(replay), 'ERR_MESSAGE_ID_TAKEN');
  const pub = (await f.app.inject({ url: '/api/messages' })).json();
  assert.ok(!pub.messages.some((m: { message: { id: string } }) => m.message.id === p.message.id));
});

test('StealthNote: client-chosen ids and timestamps are checked', async () => {
  const alice = await f.seedMembership('acme.test');
  const before = await count();
  for (const id of ['1', 'ABCDEF00112233445566778899AABBCC', '00112233445566778899aabbccddeef', "'; drop table messages; --"]) {
    const p = signedPost(alice, { group: 'acme.test' }, f.clock.t);
    const r = await post({ ...p, message: { ...p.message, id } });
    assert.equal(r.statusCode, 400);
    assert.equal(code(r), 'ERR_VALIDATION');
  }
  for (const dt of [-5 * 60_000 - 1, 5 * 60_000 + 1, -86400_000]) {
    const r = await post(signedPost(alice, { group: 'acme.test' }, f.clock.t + dt));
    assert.equal(r.statusCode, 400);
    assert.equal(code(r), 'ERR_CLOCK_SKEW');
  }
  for (const dt of [-5 * 60_000, 5 * 60_000]) assert.equal((await post(signedPost(alice, { group: 'acme.test' }, f.clock.t + dt))).statusCode, 201);
  assert.equal(await count(), before + 2);
});

test('membership: only a member of the group, with the STORED expiry not passed', async () => {
  const acme = await f.seedMembership('acme.test');
  const stranger = newKey();
  const before = await count();
  const r1 = await post(signedPost(stranger, { group: 'acme.test' }, f.clock.t));
  assert.equal(r1.statusCode, 403);
  assert.equal(code(r1), 'ERR_NOT_MEMBER');
  const r2 = await post(signedPost(acme, { group: 'globex.test' }, f.clock.t));
  assert.equal(code(r2), 'ERR_NOT_MEMBER');
  const short = await f.seedMembership('acme.test', { expiry: Math.floor(f.clock.t / 1000) + 60 });
  assert.equal((await post(signedPost(short, { group: 'acme.test' }, f.clock.t))).statusCode, 201);
  f.clock.t += 61_000;
  try {
    const r3 = await post(signedPost(short, { group: 'acme.test' }, f.clock.t));
    assert.equal(r3.statusCode, 403);
    assert.equal(code(r3), 'ERR_MEMBERSHIP_EXPIRED');
  } finally {
    f.clock.t -= 61_000;
  }
  assert.equal(await count(), before + 1);
});

test('text is 1-2,000 Unicode code points; malformed bodies are refused', async () => {
  const alice = await f.seedMembership('acme.test');
  const before = await count();
  assert.equal((await post(signedPost(alice, { group: 'acme.test', text: '😀'.repeat(2000) }, f.clock.t))).statusCode, 201);
  assert.equal((await post(signedPost(alice, { group: 'acme.test', text: 'x'.repeat(2000) }, f.clock.t))).statusCode, 201);
  const long = await post(signedPost(alice, { group: 'acme.test', text: 'é'.repeat(2001) }, f.clock.t));
  assert.equal(code(long), 'ERR_TEXT_LENGTH');
  const longEmoji = await post(signedPost(alice, { group: 'acme.test', text: '😀'.repeat(2001) }, f.clock.t));
  assert.equal(longEmoji.statusCode, 400);
  const empty = await post(signedPost(alice, { group: 'acme.test', text: '' }, f.clock.t));
  assert.equal(empty.statusCode, 400);
  const p = signedPost(alice, { group: 'acme.test' }, f.clock.t);
  for (const body of [
    { ...p, extra: 1 },
    { ...p, message: { ...p.message, admin: true } },
    { ...p, message: { ...p.message, createdAt: String(p.message.createdAt) } },
    { ...p, message: { ...p.message, internal: 'false' } },
    { ...p, message: { ...p.message, group: 'ACME.test' } },
    { message: p.message },
  ]) {
    const r = await post(body);
    assert.equal(r.statusCode, 400, JSON.stringify(body).slice(0, 80));
  }
  const badJson = await f.app.inject({ method: 'POST', url: '/api/messages', payload: '{"message":', headers: { 'content-type': 'application/json' } });
  assert.equal(badJson.statusCode, 400);
  const text = await f.app.inject({ method: 'POST', url: '/api/messages', payload: '<x/>', headers: { 'content-type': 'application/xml' } });
  assert.equal(text.statusCode, 415);
  assert.equal(code(text), 'ERR_UNSUPPORTED_MEDIA_TYPE');
  const huge = await f.app.inject({ method: 'POST', url: '/api/messages', payload: 'x'.repeat(300_000), headers: { 'content-type': 'application/json' } });
  assert.equal(huge.statusCode, 413);
  assert.equal(await count(), before + 2);
});

test('feed: newest first, opaque cursor pagination, invalid cursor refused', async () => {
  const bob = await f.seedMembership('page.test');
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const p = signedPost(bob, { group: 'page.test', text: `n${i}` }, f.clock.t);
    assert.equal((await post(p)).statusCode, 201);
    ids.push(p.message.id);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 5 && (i === 0 || cursor); i++) {
    const r: { messages: { message: { id: string } }[]; nextCursor: string | null } = (await f.app.inject({ url: `/api/messages?group=page.test&limit=2${cursor ? `&cursor=${cursor}` : ''}` })).json();
    seen.push(...r.messages.map((m: { message: { id: string } }) => m.message.id));
    cursor = r.nextCursor;
  }
  assert.deepEqual(seen, [...ids].reverse());
  for (const c of ['zzz', 'czA', Buffer.from('s-1').toString('base64url'), 'a.b']) {
    const r = await f.app.inject({ url: `/api/messages?cursor=${c}` });
    assert.equal(r.statusCode, 400, c);
  }
  assert.equal((await f.app.inject({ url: '/api/messages?limit=0' })).statusCode, 400);
  assert.equal((await f.app.inject({ url: '/api/messages?limit=101' })).statusCode, 400);
  // the cached first page is invalidated by a write
  const first = (await f.app.inject({ url: '/api/messages?group=page.test&limit=2' })).json();
  const p = signedPost(bob, { group: 'page.test', text: 'newest' }, f.clock.t);
  await post(p);
  const again = (await f.app.inject({ url: '/api/messages?group=page.test&limit=2' })).json();
  assert.notEqual(first.messages[0].message.id, again.messages[0].message.id);
  assert.equal(again.messages[0].message.id, p.message.id);
});

test('StealthNote: members-only reads need a fresh request signature by a current member, never a bare key', async () => {
  const alice = await f.seedMembership('acme.test');
  const carol = await f.seedMembership('globex.test');
  const p = signedPost(alice, { group: 'acme.test', internal: true, text: 'secret' }, f.clock.t);
  assert.equal((await post(p)).statusCode, 201);
  const url = '/api/messages?group=acme.test&internal=true';
  const none = await f.app.inject({ url });
  assert.equal(none.statusCode, 401);
  assert.equal(code(none), 'ERR_AUTH_REQUIRED');
  const bare = await f.app.inject({ url, headers: { 'x-veil-epk': alice.publicKey } });
  assert.equal(bare.statusCode, 401);
  const ok = await f.app.inject({ url, headers: signedHeaders(alice, 'GET', url, f.clock.t) });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.ok(ok.json().messages.some((m: { message: { id: string } }) => m.message.id === p.message.id));
  assert.ok(ok.json().messages.every((m: { message: { internal: boolean } }) => m.message.internal));
  // signature for another query, another path, another method, or a stale time
  const wrongQuery = await f.app.inject({ url, headers: signedHeaders(alice, 'GET', '/api/messages?group=acme.test&internal=true&limit=5', f.clock.t) });
  assert.equal(code(wrongQuery), 'ERR_SIGNATURE_INVALID');
  const wrongMethod = await f.app.inject({ url, headers: signedHeaders(alice, 'POST', url, f.clock.t) });
  assert.equal(code(wrongMethod), 'ERR_SIGNATURE_INVALID');
  const stale = await f.app.inject({ url, headers: signedHeaders(alice, 'GET', url, f.clock.t - 6 * 60_000) });
  assert.equal(code(stale), 'ERR_CLOCK_SKEW');
  const otherKeySig = { ...signedHeaders(carol, 'GET', url, f.clock.t), 'x-veil-epk': alice.publicKey };
  assert.equal(code(await f.app.inject({ url, headers: otherKeySig })), 'ERR_SIGNATURE_INVALID');
  // a member of another group
  const globex = await f.app.inject({ url, headers: signedHeaders(carol, 'GET', url, f.clock.t) });
  assert.equal(globex.statusCode, 403);
  assert.equal(code(globex), 'ERR_NOT_MEMBER');
  // a signing key without membership
  const nobody = newKey();
  assert.equal(code(await f.app.inject({ url, headers: signedHeaders(nobody, 'GET', url, f.clock.t) })), 'ERR_NOT_MEMBER');
  // never in the public feeds
  for (const u of ['/api/messages', '/api/messages?group=acme.test', '/api/messages?limit=100']) {
    const r = (await f.app.inject({ url: u })).json();
    assert.ok(r.messages.every((m: { message: { internal: boolean } }) => !m.message.internal), u);
  }
  // permalink: 404 to anyone but a member of the group
  const perma = `/api/messages/${p.message.id}`;
  assert.equal((await f.app.inject({ url: perma })).statusCode, 404);
  assert.equal((await f.app.inject({ url: perma, headers: { 'x-veil-epk': alice.publicKey } })).statusCode, 401);
  assert.equal((await f.app.inject({ url: perma, headers: signedHeaders(carol, 'GET', perma, f.clock.t) })).statusCode, 404);
  const member = await f.app.inject({ url: perma, headers: signedHeaders(alice, 'GET', perma, f.clock.t) });
  assert.equal(member.statusCode, 200);
  assert.equal(member.json().message.text, 'secret');
});

test('StealthNote: rate limit per key and per IP', async () => {
  const g = await makeFixture({ rateLimit: { postsPerKey: 3, postsPerIp: 5 }, storage: f.storage });
  try {
    const k = await g.seedMembership('rate.test');
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await g.app.inject({ method: 'POST', url: '/api/messages', payload: signedPost(k, { group: 'rate.test' }, g.clock.t) })).statusCode);
    assert.deepEqual(codes, [201, 201, 201, 429]);
    const k2 = await g.seedMembership('rate.test');
    const c2: number[] = [];
    for (let i = 0; i < 3; i++) c2.push((await g.app.inject({ method: 'POST', url: '/api/messages', payload: signedPost(k2, { group: 'rate.test' }, g.clock.t) })).statusCode);
    assert.deepEqual(c2, [201, 429, 429]); // IP budget of 5 hits is spent
    const other = await g.app.inject({ method: 'POST', url: '/api/messages', remoteAddress: '127.0.0.9', payload: signedPost(k2, { group: 'rate.test' }, g.clock.t) });
    assert.equal(other.statusCode, 201);
    g.clock.t += 60_000; // next window
    assert.equal((await g.app.inject({ method: 'POST', url: '/api/messages', payload: signedPost(k, { group: 'rate.test' }, g.clock.t) })).statusCode, 201);
    const limited = await g.app.inject({ method: 'POST', url: '/api/messages', remoteAddress: '127.0.0.9', payload: signedPost(k2, { group: 'rate.test' }, g.clock.t - 60_000 + 1) });
    assert.equal(limited.statusCode, 201);
  } finally {
    await g.app.close();
  }
});

test('no unauthenticated mutation: unknown methods and routes are 404 JSON', async () => {
  for (const [method, url] of [['DELETE', '/api/messages/00112233445566778899aabbccddeeff'], ['PUT', '/api/messages'], ['POST', '/api/keys'], ['POST', '/api/config'], ['PATCH', '/api/likes'], ['GET', '/api/admin']] as const) {
    const r = await f.app.inject({ method, url });
    assert.equal(r.statusCode, 404, `${method} ${url}`);
    assert.equal(code(r), 'ERR_NOT_FOUND');
  }
  const missing = await f.app.inject({ url: '/api/messages/00112233445566778899aabbccddeeff' });
  assert.equal(missing.statusCode, 404);
});

test('the cached first page is bounded in age (writes that bypass Veil show up within 1 s)', async () => {
  const k = await f.seedMembership('cache.test');
  const p = signedPost(k, { group: 'cache.test', text: 'before' }, f.clock.t);
  const told = nextFeedChange(f.storage); // this app's own write is announced too: let that pass first
  assert.equal((await post(p)).statusCode, 201);
  await told;
  const url = '/api/messages?group=cache.test&limit=5';
  assert.equal((await f.app.inject({ url })).json().messages[0].message.text, 'before');
  // another process writes straight to the database with SQL (not through Veil's storage, which
  // would tell every instance: multi-instance.pg.test.ts)
  const other = signedPost(k, { group: 'cache.test', text: 'from elsewhere' }, f.clock.t);
  const m = other.message;
  await rawQuery(f.storage, 'INSERT INTO messages (id, grp, internal, text, created_at, epk, signature, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    m.id, m.group, f.storage.kind === 'sqlite' ? 0 : false, m.text, m.createdAt, m.epk, other.signature, f.clock.t,
  ]);
  assert.equal((await f.app.inject({ url })).json().messages[0].message.text, 'before'); // cached
  f.clock.t += 1000;
  try {
    assert.equal((await f.app.inject({ url })).json().messages[0].message.text, 'from elsewhere');
  } finally {
    f.clock.t -= 1000;
  }
});

test('a signed read names the origin it was signed for: one signed for another board is refused', async () => {
  const alice = await f.seedMembership('acme.test');
  const url = '/api/messages?group=acme.test&internal=true';
  const here = await f.app.inject({ url, headers: signedHeaders(alice, 'GET', url, f.clock.t) });
  assert.equal(here.statusCode, 200, here.body);
  for (const origin of ['https://other-board.example', 'http://board.test:8080', 'https://board.test']) {
    // the Host header is the client's to choose: it never makes another origin acceptable
    const r = await f.app.inject({ url, headers: { ...signedHeaders(alice, 'GET', url, f.clock.t, origin), host: new URL(origin).host } });
    assert.equal(r.statusCode, 401, origin);
    assert.equal(code(r), 'ERR_SIGNATURE_INVALID');
  }
});
