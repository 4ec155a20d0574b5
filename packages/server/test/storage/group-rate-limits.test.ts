// Rate limits on the person-group routes (per client IP, counted in the storage: PostgreSQL
// counters shared by every instance under --pg): registrar updates, poll creation, votes, group
// posts and group likes, and the relay to the identity service (enrollment steps, group joins).
// Each hit is counted before the signature or proof is verified, so the requests here need no
// valid proof: the third update and the second of each other is 429; a refused relay request
// never reaches the identity service.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { generateMessageId } from '@veil/crypto';
import { makeFixture, type Fixture } from '../app-fixture.ts';
import { newKey } from '../helpers.ts';

let f: Fixture;
const h = (b: string) => b.repeat(32);
before(async () => {
  f = await makeFixture({
    groups: { registrarKey: newKey().publicKey, rootWindowMinutes: 10 },
    rateLimit: { groupUpdatesPerIp: 2, pollsPerIp: 1, votesPerIp: 1, groupPostsPerIp: 1, groupLikesPerIp: 1 },
  });
});
after(async () => { await f?.close(); });

const proof = () => ({
  v: 1, circuit: { name: 'group', id: h('c1') }, crs: { id: `test-${h('ab')}`, kind: 'test' }, root: h('01'), scope: 'x', nullifier: h('02'), message: h('03'), proof: 'AAAA',
});
const requests = () => {
  const t = f.clock.t;
  const id = generateMessageId();
  return {
    update: { method: 'POST' as const, url: '/api/groups/updates', payload: { update: { v: 1, seq: 1, group: 'human', action: 'insert', index: 0, commitment: h('11'), createdAt: t }, signature: h('00').repeat(2) } },
    poll: { method: 'POST' as const, url: '/api/polls', payload: { poll: { v: 1, id, group: 'human', question: 'q?', options: ['a', 'b'], closesAt: null, allowChange: false, createdAt: t }, proof: proof() } },
    vote: { method: 'POST' as const, url: `/api/polls/${id}/votes`, payload: { vote: { v: 1, pollId: id, option: 0, createdAt: t }, proof: proof() } },
    post: { method: 'POST' as const, url: '/api/groups/human/posts', payload: { post: { v: 1, id, group: 'human', text: 'hi', createdAt: t }, proof: proof() } },
    like: { method: 'POST' as const, url: '/api/group-likes', payload: { like: { v: 1, messageId: id, createdAt: t }, proof: proof() } },
  };
};

test('person-group routes are rate-limited per IP and per window, before any verification', async () => {
  const limits = { update: 2, poll: 1, vote: 1, post: 1, like: 1 };
  for (const [name, limit] of Object.entries(limits) as Array<[keyof typeof limits, number]>) {
    const statuses: number[] = [];
    for (let i = 0; i <= limit; i++) {
      const r = await f.app.inject({ ...requests()[name], remoteAddress: '192.0.2.1' });
      statuses.push(r.statusCode);
      if (r.statusCode === 429) assert.equal(r.json().error.code, 'ERR_RATE_LIMITED');
    }
    assert.equal(statuses.pop(), 429, name);
    for (const s of statuses) assert.ok(s >= 400 && s < 500 && s !== 429, `${name}: refused on its merits first (${s})`);
    // Another client is not affected; the next window starts afresh.
    assert.notEqual((await f.app.inject({ ...requests()[name], remoteAddress: '192.0.2.2' })).statusCode, 429, `${name}: other IP`);
  }
  f.clock.t += f.config.rateLimit.windowMs;
  for (const name of Object.keys(limits) as Array<keyof typeof limits>) {
    assert.notEqual((await f.app.inject({ ...requests()[name], remoteAddress: '192.0.2.1' })).statusCode, 429, `${name}: next window`);
  }
});

test('requests relayed to the identity service are rate-limited per IP; a refused one never reaches it', async () => {
  let reached = 0;
  const service = createServer((req, res) => { reached++; req.resume(); res.writeHead(200, { 'content-type': 'application/json' }).end('{"v":1}'); });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(service.address() as { port: number }).port}`;
  const g = await makeFixture({ storage: f.storage, rateLimit: { identityRequestsPerIp: 2 }, enclave: { url, type: 'simulation', simulated: true, measurement: h('e1'), channelPublicKey: h('c2') } });
  try {
    const send = (ip: string) => g.app.inject({ method: 'POST', url: '/api/identity-service/identity/v1/request', payload: { v: 1, enc: 'AA==', ciphertext: 'AA==' }, remoteAddress: ip });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send('198.51.100.7')).statusCode);
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.equal(reached, 2);
    assert.equal((await send('198.51.100.8')).statusCode, 200);
  } finally {
    await g.app.close();
    await new Promise<void>((r) => service.close(() => r()));
  }
});
