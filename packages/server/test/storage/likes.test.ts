// POST /api/likes on the storage under test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeFixture, type Fixture } from '../app-fixture.ts';
import { newKey, signedLike, signedPost, type TestKey } from '../helpers.ts';

let f: Fixture;
before(async () => { f = await makeFixture(); });
after(async () => { await f.close(); });

const like = (body: unknown) => f.app.inject({ method: 'POST', url: '/api/likes', payload: body as object });
const code = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;
async function newPost(author: TestKey, group: string, internal = false): Promise<string> {
  const p = signedPost(author, { group, internal }, f.clock.t);
  const r = await f.app.inject({ method: 'POST', url: '/api/messages', payload: p });
  assert.equal(r.statusCode, 201, r.body);
  return p.message.id;
}
const likesOf = async (id: string) => (await f.storage.getMessage(id))!.likes;

test('like, replay, unlike, like again; one per key; count in the feed', async () => {
  const a = await f.seedMembership('acme.test');
  const b = await f.seedMembership('globex.test');
  const id = await newPost(a, 'acme.test');
  const l1 = signedLike(a, id, 'like', f.clock.t);
  const r1 = await like(l1);
  assert.equal(r1.statusCode, 200, r1.body);
  assert.deepEqual(r1.json(), { messageId: id, liked: true, likes: 1 });
  const replay = await like(l1);
  assert.equal(replay.statusCode, 409);
  assert.equal(code(replay), 'ERR_LIKE_REPLAY');
  // a second like by the same key (newer) does not count twice
  assert.equal((await like(signedLike(a, id, 'like', f.clock.t + 1))).json().likes, 1);
  // a member of another group may like a public post
  assert.equal((await like(signedLike(b, id, 'like', f.clock.t))).json().likes, 2);
  assert.equal((await like(signedLike(a, id, 'unlike', f.clock.t + 2))).json().likes, 1);
  assert.equal((await like(signedLike(a, id, 'unlike', f.clock.t + 3))).json().likes, 1);
  // an old like re-sent after the unlike is refused (ordering by the signed createdAt)
  assert.equal(code(await like(signedLike(a, id, 'like', f.clock.t + 1))), 'ERR_LIKE_REPLAY');
  assert.equal(await likesOf(id), 1);
  const detail = (await f.app.inject({ url: `/api/messages/${id}` })).json();
  assert.equal(detail.likes, 1);
  const feed = (await f.app.inject({ url: '/api/messages?group=acme.test' })).json();
  assert.equal(feed.messages.find((m: { message: { id: string } }) => m.message.id === id).likes, 1);
});

test('rejected likes change nothing: bad signature, non-member, stale, unknown post, malformed', async () => {
  const a = await f.seedMembership('acme.test');
  const id = await newPost(a, 'acme.test');
  const stranger = newKey();
  const good = signedLike(a, id, 'like', f.clock.t);
  const cases: Array<[unknown, number, string]> = [
    [{ ...good, like: { ...good.like, action: 'unlike' } }, 401, 'ERR_SIGNATURE_INVALID'],
    [{ ...good, like: { ...good.like, messageId: 'ab'.repeat(16) } }, 401, 'ERR_SIGNATURE_INVALID'],
    [signedLike(stranger, id, 'like', f.clock.t), 403, 'ERR_NOT_MEMBER'],
    [signedLike(a, id, 'like', f.clock.t - 10 * 60_000), 400, 'ERR_CLOCK_SKEW'],
    [signedLike(a, 'cd'.repeat(16), 'like', f.clock.t), 404, 'ERR_NOT_FOUND'],
    [{ ...good, like: { ...good.like, action: 'love' } }, 400, 'ERR_VALIDATION'],
    [{ like: good.like }, 400, 'ERR_VALIDATION'],
    [{ ...good, extra: true }, 400, 'ERR_VALIDATION'],
  ];
  for (const [body, status, c] of cases) {
    const r = await like(body);
    assert.equal(r.statusCode, status, r.body);
    assert.equal(code(r), c);
  }
  assert.equal(await likesOf(id), 0);
});

test('StealthNote: members-only posts are likeable only by members of the group, never by a bare key', async () => {
  const a = await f.seedMembership('acme.test');
  const a2 = await f.seedMembership('acme.test');
  const c = await f.seedMembership('globex.test');
  const id = await newPost(a, 'acme.test', true);
  const outsider = await like(signedLike(c, id, 'like', f.clock.t));
  assert.equal(outsider.statusCode, 404);
  // the outsider cannot borrow a member's public key either: the signature must be the member's
  const borrowed = signedLike(c, id, 'like', f.clock.t);
  const r = await like({ like: { ...borrowed.like, epk: a2.publicKey }, signature: borrowed.signature });
  assert.equal(code(r), 'ERR_SIGNATURE_INVALID');
  assert.equal(await likesOf(id), 0);
  assert.equal((await like(signedLike(a2, id, 'like', f.clock.t))).json().likes, 1);
});

test('expired memberships cannot like', async () => {
  const a = await f.seedMembership('acme.test');
  const short = await f.seedMembership('acme.test', { expiry: Math.floor(f.clock.t / 1000) + 10 });
  const id = await newPost(a, 'acme.test');
  f.clock.t += 11_000;
  try {
    assert.equal(code(await like(signedLike(short, id, 'like', f.clock.t))), 'ERR_MEMBERSHIP_EXPIRED');
  } finally {
    f.clock.t -= 11_000;
  }
  assert.equal(await likesOf(id), 0);
});

test('counts stay consistent under concurrent likes and unlikes', async () => {
  const author = await f.seedMembership('acme.test');
  const id = await newPost(author, 'acme.test');
  const keys = await Promise.all(Array.from({ length: 24 }, () => f.seedMembership('acme.test')));
  // every key likes twice concurrently (one must be a replay or a no-op), half then unlike
  const t = f.clock.t;
  const r1 = await Promise.all(keys.flatMap((k) => [like(signedLike(k, id, 'like', t)), like(signedLike(k, id, 'like', t + 1))]));
  assert.ok(r1.every((r) => r.statusCode === 200 || r.statusCode === 409), r1.map((r) => r.statusCode).join());
  assert.equal(await likesOf(id), 24);
  await Promise.all(keys.slice(0, 12).map((k) => like(signedLike(k, id, 'unlike', t + 2))));
  assert.equal(await likesOf(id), 12);
  const detail = (await f.app.inject({ url: `/api/messages/${id}` })).json();
  assert.equal(detail.likes, 12);
});
