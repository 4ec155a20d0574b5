// Finding 1 of issue 8 against the routes: small-order and non-canonical Ed25519 keys and R values.
// OpenSSL alone accepts R = identity, S = 0 for a small-order key, so a member who registered such a
// key could be impersonated by anyone: posts, likes and members-only reads. Every one of the 8
// small-order points and 6 non-canonical encodings is tried as A (the key) and as R.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLike, encodePost, encodeRequest, type Like, type Post } from '@veil/crypto';
import { BAD_POINTS, forgeForSmallOrderKey, signWithR } from '../../crypto/test/helpers/ed25519-adversary.ts';
import { CIRCUIT_ID, makeFixture, type Fixture } from './app-fixture.ts';
import { BOARD_ORIGIN, signedPost } from './helpers.ts';

let f: Fixture;
let target = '';
before(async () => {
  f = await makeFixture();
  const honest = await f.seedMembership('acme.test');
  const p = signedPost(honest, { group: 'acme.test', text: 'a post to like' }, f.clock.t);
  assert.equal((await f.app.inject({ method: 'POST', url: '/api/messages', payload: p })).statusCode, 201);
  target = p.message.id;
});
after(async () => { await f.close(); });

const code = (r: { json(): unknown }) => (r.json() as { error?: { code: string } }).error?.code;
const stored = async () => (await f.storage.listMessages({ internal: false, limit: 1000 })).length + (await f.storage.listMessages({ group: 'acme.test', internal: true, limit: 1000 })).length;
const mkPost = (epk: string, i: number): Post => ({ v: 1, id: (i + 1).toString(16).padStart(32, 'a'), group: 'acme.test', internal: true, text: `forged ${i}`, createdAt: f.clock.t, epk });
const mkLike = (epk: string, i: number): Like => ({ v: 1, messageId: target, action: 'like', createdAt: f.clock.t - i, epk });
const boardUrl = '/api/messages?group=acme.test&internal=true';
const mkRequest = (epk: string, i: number) => ({ method: 'GET', origin: BOARD_ORIGIN, path: '/api/messages', query: 'group=acme.test&internal=true', timestamp: f.clock.t - i, epk });

test('registration refuses a small-order or non-canonical epk (422 ERR_EPK_INVALID) before any proof work', async () => {
  for (const p of BAD_POINTS) {
    const claims = { iss: f.issuer.iss, aud: f.issuer.aud, domain: 'acme.test', epk: p.hex, expiry: Math.floor(f.clock.t / 1000) + 86400, kid: f.issuer.keys[0]!.kid };
    const bundle = { v: 1, circuit: { name: 'membership', id: CIRCUIT_ID }, crs: { id: `test-${'00'.repeat(32)}`, kind: 'test' }, claims, proof: 'AAAA' };
    const r = await f.app.inject({ method: 'POST', url: '/api/memberships', payload: bundle });
    assert.equal(r.statusCode, 422, `${p.label}: ${r.body}`);
    assert.equal(code(r), 'ERR_EPK_INVALID');
    assert.equal((await f.app.inject({ url: `/api/memberships/${p.hex}` })).statusCode, 404);
  }
});

test('small-order keys (every encoding): the R = identity, S = 0 forgery is refused on post, like and signed read', async () => {
  for (const p of BAD_POINTS) {
    await f.seedMembership('acme.test', { key: { publicKey: p.hex, secretKey: '' } }); // as if registered before the fix
    const before = await stored();
    const fp = forgeForSmallOrderKey(p.hex, (i) => encodePost(mkPost(p.hex, i)));
    const r1 = await f.app.inject({ method: 'POST', url: '/api/messages', payload: { message: mkPost(p.hex, fp.attempt), signature: fp.signature } });
    assert.equal(r1.statusCode, 401, `${p.label}: ${r1.body}`);
    assert.equal(code(r1), 'ERR_SIGNATURE_INVALID');
    assert.equal(await stored(), before);

    const fl = forgeForSmallOrderKey(p.hex, (i) => encodeLike(mkLike(p.hex, i)));
    const r2 = await f.app.inject({ method: 'POST', url: '/api/likes', payload: { like: mkLike(p.hex, fl.attempt), signature: fl.signature } });
    assert.equal(r2.statusCode, 401, `${p.label}: ${r2.body}`);
    assert.equal(code(r2), 'ERR_SIGNATURE_INVALID');

    const fr = forgeForSmallOrderKey(p.hex, (i) => encodeRequest(mkRequest(p.hex, i)));
    const headers = { 'x-veil-epk': p.hex, 'x-veil-timestamp': String(f.clock.t - fr.attempt), 'x-veil-signature': fr.signature };
    const r3 = await f.app.inject({ url: boardUrl, headers });
    assert.equal(r3.statusCode, 401, `${p.label}: ${r3.body}`);
    assert.equal(code(r3), 'ERR_SIGNATURE_INVALID');
  }
  const likes = (await f.app.inject({ url: `/api/messages/${target}` })).json() as { likes: number };
  assert.equal(likes.likes, 0);
});

test('small-order or non-canonical R from an honest member is refused on post, like and signed read', async () => {
  const member = await f.seedMembership('acme.test');
  for (const [i, p] of BAD_POINTS.entries()) {
    const before = await stored();
    const m = mkPost(member.publicKey, 100 + i);
    const r1 = await f.app.inject({ method: 'POST', url: '/api/messages', payload: { message: m, signature: signWithR(member.secretKey, p.hex, encodePost(m)) } });
    assert.equal(r1.statusCode, 401, `${p.label}: ${r1.body}`);
    assert.equal(code(r1), 'ERR_SIGNATURE_INVALID');
    assert.equal(await stored(), before);
    const l = mkLike(member.publicKey, i);
    const r2 = await f.app.inject({ method: 'POST', url: '/api/likes', payload: { like: l, signature: signWithR(member.secretKey, p.hex, encodeLike(l)) } });
    assert.equal(r2.statusCode, 401, `${p.label}: ${r2.body}`);
    const q = mkRequest(member.publicKey, i);
    const headers = { 'x-veil-epk': member.publicKey, 'x-veil-timestamp': String(q.timestamp), 'x-veil-signature': signWithR(member.secretKey, p.hex, encodeRequest(q)) };
    const r3 = await f.app.inject({ url: boardUrl, headers });
    assert.equal(r3.statusCode, 401, `${p.label}: ${r3.body}`);
  }
});
