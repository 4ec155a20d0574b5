// Over a real socket (inject does not go through Node's HTTP layer): request, header and keep-alive
// timeouts close slow clients; connections beyond the per-IP cap are refused; what Node or the
// router refuse before a route runs (bad URL, oversized headers, malformed requests, timeouts)
// still answers in Veil's error format with the security headers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { makeFixture } from './app-fixture.ts';
import { open, parseResponse, rawRequest, readResponse, type RawResponse } from './raw-http.ts';

const limits = { requestTimeoutMs: 1000, headersTimeoutMs: 600, keepAliveTimeoutMs: 500, maxConnectionsPerIp: 4 };
const f = await makeFixture({ http: limits });
await f.app.listen({ host: '127.0.0.1', port: 0 });
const port = (f.app.server.address() as { port: number }).port;
after(() => f.close());

/** Never reached by a passing test: how long we wait before calling a socket "left open". */
const GIVE_UP_MS = 15_000;

function veilError(r: RawResponse, status: number, code: string): void {
  assert.equal(r.status, status, r.body);
  assert.deepEqual(Object.keys(JSON.parse(r.body)), ['error']);
  const e = JSON.parse(r.body).error;
  assert.equal(e.code, code);
  assert.equal(typeof e.message, 'string');
  assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.match(r.headers['content-type'] ?? '', /^application\/json/);
}

/** Resolves when the server closes `s` (with what it sent), or with null after GIVE_UP_MS. */
async function closedByServer(s: Socket): Promise<{ data: Buffer; ms: number } | null> {
  const t0 = performance.now();
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  s.on('error', () => {});
  const closed = new Promise<boolean>((r) => s.once('close', () => r(true)));
  const timer = new Promise<boolean>((r) => setTimeout(() => r(false), GIVE_UP_MS).unref());
  const ok = await Promise.race([closed, timer]);
  if (!ok) s.destroy();
  return ok ? { data: Buffer.concat(chunks), ms: performance.now() - t0 } : null;
}

test('a slow body (headers and 16 of 4,096 bytes) is cut off by the request timeout with a 408', async () => {
  const s = await open(port);
  s.write('POST /api/messages HTTP/1.1\r\nHost: board.test\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{"message":{"v":');
  const closed = await closedByServer(s);
  assert.ok(closed, 'the server left the slow-body socket open');
  veilError(parseResponse(closed.data), 408, 'ERR_REQUEST_TIMEOUT');
  assert.equal(await f.storage.listMessages({ internal: false, limit: 10 }).then((m) => m.length), 0);
});

test('slow headers and a silent connection are closed by the header timeout', async () => {
  const silent = await open(port);
  const slow = await open(port);
  slow.write('GET /api/config HTTP/1.1\r\nHost: board.test\r\n');
  const [a, b] = await Promise.all([closedByServer(silent), closedByServer(slow)]);
  assert.ok(a, 'a connection that sent nothing stayed open');
  assert.ok(b, 'a connection that never finished its headers stayed open');
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
  const s = await open(port);
  const first = readResponse(s);
  s.write('GET /api/config HTTP/1.1\r\nHost: board.test\r\n\r\n');
  const r = await first;
  assert.equal(r.closed, false);
  assert.equal(parseResponse(r.data).status, 200);
  assert.ok(await closedByServer(s), 'the idle keep-alive connection stayed open');
});

test('connections beyond the per-IP cap are refused with a 429; the others keep working', async () => {
  const g = await makeFixture({ storage: f.storage, http: { ...limits, requestTimeoutMs: 60_000, headersTimeoutMs: 60_000, keepAliveTimeoutMs: 60_000 } });
  await g.app.listen({ host: '127.0.0.1', port: 0 });
  const gport = (g.app.server.address() as { port: number }).port;
  const held: Socket[] = [];
  try {
    for (let i = 0; i < limits.maxConnectionsPerIp; i++) held.push(await open(gport));
    const extra = await open(gport);
    const refused = await closedByServer(extra);
    assert.ok(refused, 'the connection over the cap stayed open');
    veilError(parseResponse(refused.data), 429, 'ERR_TOO_MANY_CONNECTIONS');
    // the held connections are served
    const reading = readResponse(held[0]!);
    held[0]!.write('GET /api/config HTTP/1.1\r\nHost: board.test\r\n\r\n');
    assert.equal(parseResponse((await reading).data).status, 200);
    // one closes: a new connection is accepted again
    const gone = new Promise((r) => held[1]!.once('close', r));
    held[1]!.destroy();
    await gone;
    await new Promise((r) => setTimeout(r, 50));
    const again = await rawRequest(gport, 'GET /api/config HTTP/1.1\r\nHost: board.test\r\nConnection: close\r\n\r\n');
    assert.equal(again.status, 200);
  } finally {
    for (const s of held) s.destroy();
    await g.app.close();
  }
});

test('framework and Node-level refusals answer in Veil format with the security headers', async () => {
  const cases: Array<[string, Buffer | string, number, string]> = [
    ['undecodable path', 'GET /% HTTP/1.1\r\nHost: board.test\r\nConnection: close\r\n\r\n', 400, 'ERR_BAD_URL'],
    ['undecodable param', 'GET /api/messages/%zz HTTP/1.1\r\nHost: board.test\r\nConnection: close\r\n\r\n', 400, 'ERR_BAD_URL'],
    ['oversized headers (431)', `GET /api/config HTTP/1.1\r\nHost: board.test\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`, 431, 'ERR_HEADERS_TOO_LARGE'],
    ['malformed request line', 'GARBAGE\r\n\r\n', 400, 'ERR_BAD_REQUEST'],
    ['NUL in a header value', 'GET /api/config HTTP/1.1\r\nHost: board.test\r\nX-A: a\u0000b\r\n\r\n', 400, 'ERR_BAD_REQUEST'],
    ['bad chunked framing', 'POST /api/messages HTTP/1.1\r\nHost: board.test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400, 'ERR_BAD_REQUEST'],
    ['unknown route', 'GET /api/nope HTTP/1.1\r\nHost: board.test\r\nConnection: close\r\n\r\n', 404, 'ERR_NOT_FOUND'],
  ];
  for (const [name, req, status, code] of cases) {
    const r = await rawRequest(port, req);
    try {
      veilError(r, status, code);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  }
});
