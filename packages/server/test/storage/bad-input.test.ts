// The bad-input suite, over a real socket, on the storage under test (SQLite in `npm test`,
// PostgreSQL in `npm run test:pg`): malformed bodies, wrong types, U+0000, huge and deeply nested
// JSON, invalid UTF-8, bad hex, replays and method confusion against every route. Every answer must
// be a 4xx in Veil's format `{error:{code,message}}` with the security headers, and nothing may be
// stored by a refused request (row counts of every table compared after each one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeFixture, type Fixture } from '../app-fixture.ts';
import { BOARD_ORIGIN, newKey, rowCounts, signedHeaders, signedLike, signedPost, type TestKey } from '../helpers.ts';
import { rawRequest, type RawResponse } from '../raw-http.ts';

let f: Fixture;
let port: number;
let alice: TestKey;
let stored: ReturnType<typeof signedPost>;
let secret: ReturnType<typeof signedPost>;
let liked: ReturnType<typeof signedLike>;
let baseline: Record<string, number>;

before(async () => {
  f = await makeFixture();
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  port = (f.app.server.address() as { port: number }).port;
  // the clock of the fixture is fixed in 2026; the server's own time is what it checks against
  alice = await f.seedMembership('acme.test');
  stored = signedPost(alice, { group: 'acme.test', text: 'stored' }, f.clock.t);
  secret = signedPost(alice, { group: 'acme.test', internal: true, text: 'members only' }, f.clock.t);
  for (const p of [stored, secret]) assert.equal((await f.app.inject({ method: 'POST', url: '/api/messages', payload: p })).statusCode, 201);
  liked = signedLike(alice, stored.message.id, 'like', f.clock.t);
  assert.equal((await f.app.inject({ method: 'POST', url: '/api/likes', payload: liked })).statusCode, 200);
  baseline = await rowCounts(f.storage);
});
after(async () => { await f.close(); });

type Case = { name: string; method: string; path: string; body?: Buffer | string; headers?: Record<string, string>; status?: number };

function request(c: Case): Buffer {
  const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8');
  const headers: Record<string, string> = {
    host: new URL(BOARD_ORIGIN).host, connection: 'close',
    ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
    ...c.headers,
  };
  const head = `${c.method} ${c.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body ?? Buffer.alloc(0)]);
}

function assertRefused(c: Case, r: RawResponse): void {
  const what = `${c.name}: ${c.method} ${c.path.slice(0, 60)} → ${r.status} ${r.body.slice(0, 160)}`;
  assert.ok(r.status >= 400 && r.status < 500, what);
  if (c.status !== undefined) assert.equal(r.status, c.status, what);
  assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin', what);
  assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp', what);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
  if (c.method === 'HEAD') return; // no body by definition
  const json = JSON.parse(r.body) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(json), ['error'], what);
  assert.deepEqual(Object.keys(json.error).sort(), ['code', 'message'], what);
  assert.match(json.error.code, /^ERR_[A-Z0-9_]+$/, what);
  assert.equal(typeof json.error.message, 'string', what);
}

async function run(cases: Case[]): Promise<void> {
  for (const c of cases) {
    assertRefused(c, await rawRequest(port, request(c)));
    assert.deepEqual(await rowCounts(f.storage), baseline, `${c.name}: a refused request stored something`);
  }
}

const POST_ROUTES = ['/api/memberships', '/api/messages', '/api/likes'];
const GET_ROUTES = ['/api/config', '/api/messages', `/api/messages/${'0'.repeat(32)}`, `/api/memberships/${'0'.repeat(64)}`, '/api/keys', '/artifacts/circuits.json'];
const json = (v: unknown) => JSON.stringify(v);
/** `value` serialised with `marker` (a JSON string literal inside it) replaced by raw bytes. */
const withBytes = (value: unknown, marker: string, bytes: number[]) => {
  const [a, b] = json(value).split(marker) as [string, string];
  return Buffer.concat([Buffer.from(a), Buffer.from(bytes), Buffer.from(b)]);
};

test('malformed bodies, wrong content types and framing, on every POST route', async () => {
  const bodies: Array<[string, string | Buffer, number?]> = [
    ['truncated', '{"message":', 400], ['open brace', '{', 400], ['empty', '', 400], ['null', 'null', 400], ['number', '1', 400],
    ['string', '"x"', 400], ['array', '[]', 400], ['two documents', '{}{}', 400], ['trailing garbage', '{} x', 400],
    ['bare word', 'nul', 400], ['prototype pollution', '{"__proto__":{"admin":true}}', 400],
    ['constructor pollution', '{"constructor":{"prototype":{"admin":true}}}', 400], ['BOM only', Buffer.from([0xef, 0xbb, 0xbf]), 400],
  ];
  const cases: Case[] = POST_ROUTES.flatMap((path) => [
    ...bodies.map(([name, body, status]): Case => ({ name, method: 'POST', path, body, ...(status ? { status } : {}) })),
    { name: 'text/plain', method: 'POST', path, body: '{}', headers: { 'content-type': 'text/plain' }, status: 415 },
    { name: 'form', method: 'POST', path, body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
    { name: 'multipart', method: 'POST', path, body: '--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' }, status: 415 },
    { name: 'no body', method: 'POST', path },
    { name: 'short body', method: 'POST', path, body: '{}', headers: { 'content-length': '1' } },
  ]);
  await run(cases);
});

test('wrong types and bad hex in every field of posts and likes', async () => {
  const wrong = [null, 1, -1, 1.5, '', 'x', true, [], {}, 'A'.repeat(64), 'zz'.repeat(32), '0'.repeat(63)];
  const cases: Case[] = [];
  for (const field of ['v', 'id', 'group', 'internal', 'text', 'createdAt', 'epk'] as const) {
    for (const v of wrong) {
      if (field === 'text' && typeof v === 'string' && v.length > 0) continue; // a valid text (its signature then fails: 401)
      cases.push({ name: `post ${field}=${json(v).slice(0, 20)}`, method: 'POST', path: '/api/messages', body: json({ ...stored, message: { ...stored.message, [field]: v } }) });
    }
  }
  for (const field of ['v', 'messageId', 'action', 'createdAt', 'epk'] as const) {
    for (const v of wrong) cases.push({ name: `like ${field}=${json(v).slice(0, 20)}`, method: 'POST', path: '/api/likes', body: json({ ...liked, like: { ...liked.like, [field]: v } }) });
  }
  for (const sig of ['', 'AB'.repeat(64), 'zz'.repeat(64), '0'.repeat(127), '0'.repeat(129), 1]) {
    cases.push({ name: `post signature ${json(sig).slice(0, 12)}`, method: 'POST', path: '/api/messages', body: json({ ...stored, signature: sig }), status: 400 });
    cases.push({ name: `like signature ${json(sig).slice(0, 12)}`, method: 'POST', path: '/api/likes', body: json({ ...liked, signature: sig }), status: 400 });
  }
  const bundle = {
    v: 1, circuit: { name: 'membership', id: 'c1'.repeat(32) }, crs: { id: `test-${'00'.repeat(32)}`, kind: 'test' },
    claims: { iss: f.issuer.iss, aud: f.issuer.aud, domain: 'acme.test', epk: newKey().publicKey, expiry: Math.floor(f.clock.t / 1000) + 3600, kid: 'k1' }, proof: 'AAAA',
  };
  for (const [field, v] of [['epk', 'AB'.repeat(32)], ['epk', 'ab'], ['expiry', '1'], ['expiry', -1], ['kid', ''], ['kid', 1], ['iss', null], ['domain', 'ACME.test'], ['domain', 'x'.repeat(300)]] as const) {
    cases.push({ name: `bundle claims.${field}=${json(v).slice(0, 12)}`, method: 'POST', path: '/api/memberships', body: json({ ...bundle, claims: { ...bundle.claims, [field]: v } }) });
  }
  for (const [field, v] of [['proof', 'not base64!'], ['proof', ''], ['v', 2], ['circuit', null], ['crs', { id: 'x', kind: 'test' }], ['publicInputs', ['0x1']], ['extra', 1]] as const) {
    cases.push({ name: `bundle ${field}=${json(v).slice(0, 12)}`, method: 'POST', path: '/api/memberships', body: json({ ...bundle, [field]: v }) });
  }
  await run(cases);
});

test('U+0000 anywhere: signed post text, ids, keys, queries, params (both backends refuse alike)', async () => {
  const nulPost = signedPost(alice, { group: 'acme.test', text: 'a\u0000b' }, f.clock.t);
  const bundle = {
    v: 1, circuit: { name: 'membership', id: 'c1'.repeat(32) }, crs: { id: `test-${'00'.repeat(32)}`, kind: 'test' },
    claims: { iss: f.issuer.iss, aud: f.issuer.aud, domain: 'acme.test', epk: newKey().publicKey, expiry: Math.floor(f.clock.t / 1000) + 3600, kid: 'k1' }, proof: 'AAAA',
  };
  const cases: Case[] = [
    { name: 'NUL in a correctly signed post text', method: 'POST', path: '/api/messages', body: json(nulPost), status: 400 },
    { name: 'NUL only', method: 'POST', path: '/api/messages', body: json(signedPost(alice, { group: 'acme.test', text: '\u0000' }, f.clock.t)), status: 400 },
    { name: 'NUL in a key name', method: 'POST', path: '/api/messages', body: json({ ...stored, message: { ...stored.message, 'a\u0000': 1 } }), status: 400 },
    { name: 'NUL in the group', method: 'POST', path: '/api/messages', body: json({ ...stored, message: { ...stored.message, group: 'acme\u0000.test' } }), status: 400 },
    { name: 'NUL in a like id', method: 'POST', path: '/api/likes', body: json({ ...liked, like: { ...liked.like, messageId: `${'0'.repeat(31)}\u0000` } }), status: 400 },
    ...(['kid', 'iss', 'aud', 'domain'] as const).map((k): Case => ({
      name: `NUL in bundle claims.${k}`, method: 'POST', path: '/api/memberships', body: json({ ...bundle, claims: { ...bundle.claims, [k]: `${bundle.claims[k]}\u0000` } }), status: 400,
    })),
    { name: 'NUL in iss query', method: 'GET', path: '/api/keys?iss=%00', status: 400 },
    { name: 'NUL inside iss query', method: 'GET', path: `/api/keys?iss=${encodeURIComponent(f.issuer.iss)}%00`, status: 400 },
    { name: 'NUL in group query', method: 'GET', path: '/api/messages?group=acme.test%00', status: 400 },
    { name: 'NUL in cursor', method: 'GET', path: '/api/messages?cursor=%00', status: 400 },
    { name: 'NUL in a query name', method: 'GET', path: '/api/keys?%00=1', status: 400 },
    { name: 'NUL in message id', method: 'GET', path: '/api/messages/%00', status: 400 },
    { name: 'NUL in epk', method: 'GET', path: `/api/memberships/${'0'.repeat(63)}%00`, status: 400 },
    { name: 'NUL in an artifact path', method: 'GET', path: '/artifacts/%00' },
    { name: 'NUL escaped in JSON text', method: 'POST', path: '/api/messages', body: json(nulPost).replace('\\u0000', '\\u0000'), status: 400 },
  ];
  await run(cases);
});

test('huge and deeply nested JSON', async () => {
  const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const deepObject = `${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}`;
  const cases: Case[] = POST_ROUTES.flatMap((path): Case[] => [
    { name: 'over the body limit', method: 'POST', path, body: `{"x":"${'a'.repeat(300_000)}"}`, status: 413 },
    { name: 'long array under the limit', method: 'POST', path, body: `[${'1,'.repeat(100_000)}1]`, status: 400 },
    { name: 'deep array', method: 'POST', path, body: deepArray, status: 400 },
    { name: 'deep object', method: 'POST', path, body: deepObject, status: 400 },
    { name: 'deep inside a field', method: 'POST', path, body: `{"message":${deepArray.slice(0, 60_000)}${deepArray.slice(-60_000)},"signature":"00"}`, status: 400 },
  ]);
  cases.push({ name: 'text of 2,001 code points', method: 'POST', path: '/api/messages', body: json(signedPost(alice, { group: 'acme.test', text: 'x'.repeat(2001) }, f.clock.t)), status: 400 });
  cases.push({ name: 'huge query', method: 'GET', path: `/api/keys?iss=${'a'.repeat(6000)}`, status: 400 });
  await run(cases);
});

test('invalid UTF-8 in bodies, paths and queries', async () => {
  const p = signedPost(alice, { group: 'acme.test', text: 'MARK' }, f.clock.t);
  const sequences = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];
  const cases: Case[] = sequences.map((bytes): Case => ({ name: `post text bytes ${bytes.map((b) => b.toString(16)).join(' ')}`, method: 'POST', path: '/api/messages', body: withBytes(p, 'MARK', bytes), status: 400 }));
  cases.push({ name: 'like with invalid UTF-8', method: 'POST', path: '/api/likes', body: withBytes({ ...liked, like: { ...liked.like, action: 'MARK' } }, 'MARK', [0xff]), status: 400 });
  cases.push({ name: 'lone surrogate escape', method: 'POST', path: '/api/messages', body: json(p).replace('MARK', '\\ud800'), status: 400 });
  for (const q of ['%FF', '%C3%28', '%ED%A0%80', '%E2%82']) {
    cases.push({ name: `query ${q}`, method: 'GET', path: `/api/keys?iss=${q}`, status: 400 });
    cases.push({ name: `group ${q}`, method: 'GET', path: `/api/messages?group=a${q}.test`, status: 400 });
    cases.push({ name: `param ${q}`, method: 'GET', path: `/api/messages/${q}`, status: 400 });
  }
  await run(cases);
});

test('replays and tampered signed requests', async () => {
  const url = '/api/messages?group=acme.test&internal=true';
  const perma = `/api/messages/${secret.message.id}`;
  const cases: Case[] = [
    { name: 'post replayed', method: 'POST', path: '/api/messages', body: json(stored), status: 409 },
    { name: 'post replayed into the members-only board', method: 'POST', path: '/api/messages', body: json({ ...stored, message: { ...stored.message, internal: true } }), status: 401 },
    { name: 'like replayed', method: 'POST', path: '/api/likes', body: json(liked), status: 409 },
    { name: 'stale post', method: 'POST', path: '/api/messages', body: json(signedPost(alice, { group: 'acme.test' }, f.clock.t - 3_600_000)), status: 400 },
    { name: 'signed read for another origin', method: 'GET', path: url, headers: signedHeaders(alice, 'GET', url, f.clock.t, 'https://other.example'), status: 401 },
    { name: 'signed read, query changed', method: 'GET', path: `${url}&limit=1`, headers: signedHeaders(alice, 'GET', url, f.clock.t), status: 401 },
    { name: 'signed read, method changed', method: 'GET', path: url, headers: signedHeaders(alice, 'POST', url, f.clock.t), status: 401 },
    { name: 'signed read, stale', method: 'GET', path: url, headers: signedHeaders(alice, 'GET', url, f.clock.t - 3_600_000), status: 400 },
    { name: 'permalink signed for another path', method: 'GET', path: perma, headers: signedHeaders(alice, 'GET', url, f.clock.t), status: 401 },
    { name: 'bad epk header', method: 'GET', path: url, headers: { ...signedHeaders(alice, 'GET', url, f.clock.t), 'x-veil-epk': alice.publicKey.toUpperCase() }, status: 401 },
    { name: 'bad timestamp header', method: 'GET', path: url, headers: { ...signedHeaders(alice, 'GET', url, f.clock.t), 'x-veil-timestamp': '1e12' }, status: 401 },
    { name: 'short signature header', method: 'GET', path: url, headers: { ...signedHeaders(alice, 'GET', url, f.clock.t), 'x-veil-signature': 'ab' }, status: 401 },
    { name: 'only the key header', method: 'GET', path: url, headers: { 'x-veil-epk': alice.publicKey }, status: 401 },
  ];
  await run(cases);
});

test('method confusion on every route', async () => {
  const cases: Case[] = [];
  for (const path of [...POST_ROUTES, ...GET_ROUTES]) {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND']) cases.push({ name: method, method, path, status: 404 });
  }
  for (const path of POST_ROUTES) {
    cases.push({ name: 'GET a POST route', method: 'GET', path: path === '/api/messages' ? '/api/messages?limit=x' : path, status: path === '/api/messages' ? 400 : 404 });
    cases.push({ name: 'HEAD a POST route', method: 'HEAD', path: path === '/api/messages' ? '/api/messages?limit=x' : path });
    cases.push({ name: 'override header', method: 'POST', path, body: '{}', headers: { 'x-http-method-override': 'GET' }, status: 400 });
    cases.push({ name: '_method query', method: 'POST', path: `${path}?_method=DELETE`, body: json(stored) });
  }
  for (const path of GET_ROUTES.filter((p) => !POST_ROUTES.includes(p))) cases.push({ name: 'POST a GET route', method: 'POST', path, body: json(stored), status: 404 });
  await run(cases);
});
