/**
 * `npm run bench:votes [-- --pg] [-- --voters N]`: votes per second a board accepts. An in-process
 * board (buildApp on SQLite, or PostgreSQL with --pg; the real warm group-proof verifier, test CRS,
 * listening on loopback) with N members inserted by registrar-signed updates and one poll; N vote
 * proofs are made first (not timed), then all N are sent at once over HTTP (32 in flight) and the
 * accepted ones counted. Every vote costs one UltraHonk verification (bb.js runs one at a time per
 * instance), so the figure is verification-bound. Also: the same N proofs replayed (all refused, 409).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePoll, encodeVote, generateMessageId, messageToField, voteScope, type Poll, type Vote } from '@veil/crypto';
import { createBackend, type GroupProof } from '@veil/prover';
import { buildApp, DEFAULT_RATE_LIMIT, KeyRegistry, openPostgresStorage, openSqliteStorage, type ServerConfig } from '@veil/server';
import { makePerson, makeRegistrar, proveOnBoard } from '../test/group-helpers.ts';

const pg = process.argv.includes('--pg');
const n = Number(process.argv[process.argv.indexOf('--voters') + 1]) || 24;
const storage = pg
  ? await openPostgresStorage({ connectionString: process.env.DATABASE_URL!, schema: `veil_votes_${process.pid}`, dropSchemaOnClose: true, max: 16 })
  : openSqliteStorage({ path: join(mkdtempSync(join(tmpdir(), 'veil-votes-')), 'veil.sqlite') });
const reg = makeRegistrar();
const config: ServerConfig = {
  profile: 'development', host: '127.0.0.1', port: 0, dataDir: '/nonexistent', crs: 'test', issuers: [],
  rateLimit: { ...DEFAULT_RATE_LIMIT, postsPerKey: 0, postsPerIp: 0, likesPerKey: 0, likesPerIp: 0, membershipsPerIp: 0,
    groupUpdatesPerIp: 0, pollsPerIp: 0, votesPerIp: 0, groupPostsPerIp: 0, groupLikesPerIp: 0, identityRequestsPerIp: 0 },
  devIssuer: { clientId: 'veil-dev', graceSeconds: 600 }, keyRefreshSeconds: 3600, enclave: { producer: 'none' },
  groups: { registrarKey: reg.key.publicKey, rootWindowMinutes: 10 },
};
const verifier = await createBackend({ crs: 'test', threads: 2 });
const prover = await createBackend({ crs: 'test', threads: 2 });
const app = await buildApp({
  config, storage, registry: new KeyRegistry({ storage, issuers: [], now: Date.now }), acceptedCircuits: [],
  verifyMembership: async () => { throw new Error('unused'); },
  verifyGroupProof: (proof, expect) => verifier.verifyGroup(proof, expect),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
try {
  const people = await Promise.all(Array.from({ length: n }, makePerson));
  for (const [i, p] of people.entries()) {
    const r = await app.inject({ method: 'POST', url: '/api/groups/updates', payload: reg.next({ group: 'human', action: 'insert', index: i, commitment: p.commitment }, Date.now()) });
    if (r.statusCode !== 201) throw new Error(r.body);
  }
  const poll: Poll = { v: 1, id: generateMessageId(), group: 'human', question: 'bench', options: ['a', 'b'], closesAt: null, allowChange: false, createdAt: Date.now() };
  const pollProof = await proveOnBoard(prover, app, 'human', people[0]!, poll.id, messageToField(encodePoll(poll)));
  if ((await app.inject({ method: 'POST', url: '/api/polls', payload: { poll, proof: pollProof } })).statusCode !== 201) throw new Error('poll');
  let t0 = performance.now();
  const ballots: Array<{ vote: Vote; proof: GroupProof }> = [];
  for (const [i, p] of people.entries()) {
    const vote: Vote = { v: 1, pollId: poll.id, option: i % 2, createdAt: Date.now() };
    ballots.push({ vote, proof: await proveOnBoard(prover, app, 'human', p, voteScope(poll.id), messageToField(encodeVote(vote))) });
  }
  const proveMs = performance.now() - t0;
  await prover.destroy();

  const send = async (bodies: typeof ballots) => {
    const statuses: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const b = bodies[next++]!;
        const res = await fetch(`${url}/api/polls/${poll.id}/votes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    };
    const t = performance.now();
    await Promise.all(Array.from({ length: 32 }, worker));
    return { ms: performance.now() - t, statuses };
  };
  const first = await send(ballots);
  const replay = await send(ballots);
  const accepted = first.statuses.filter((s) => s === 201).length;
  t0 = performance.now();
  const tally = (await app.inject({ method: 'GET', url: `/api/polls/${poll.id}` })).json() as { voters: number };
  const rows: Array<[string, string]> = [
    ['storage', pg ? 'PostgreSQL' : 'SQLite (WAL)'],
    ['voters (distinct people, one proof each)', String(n)],
    ['proof generation (not part of the rate), per proof', `${(proveMs / n).toFixed(0)} ms`],
    ['votes accepted', `${accepted} of ${n} (tally ${tally.voters})`],
    ['accepted votes/s (32 in flight)', (accepted / (first.ms / 1000)).toFixed(1)],
    ['replayed votes refused (409)', `${replay.statuses.filter((s) => s === 409).length} of ${n}, ${(n / (replay.ms / 1000)).toFixed(1)}/s`],
    ['load average at the end (1 min)', loadavg()[0]!.toFixed(1)],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(46)} ${v}`);
  if (accepted !== n || tally.voters !== n) process.exitCode = 1;
} finally {
  await app.close();
  await verifier.destroy();
  await storage.close();
}
