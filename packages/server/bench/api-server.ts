// The server side of `npm run bench:api`: buildApp on SQLite (temp file) or PostgreSQL (a fresh
// schema), rate limits on but never reached (every post and like is counted, in PostgreSQL for
// the pg run, as in a multi-instance deployment; VEIL_BENCH_LIMITS=off turns them off), memberships for the bench keys written as the membership route stores
// them after verification (the bench measures posting and reading, not proving). Prints its port.
// Also the server of the crash test (test/storage/crash.test.ts).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, DEFAULT_RATE_LIMIT, freePort, KeyRegistry, openPostgresStorage, openSqliteStorage, type ServerConfig, type Storage } from '@veil/server';

const kind = process.env.VEIL_BENCH_DB === 'pg' ? 'pg' : 'sqlite';
const keys = JSON.parse(readFileSync(process.env.VEIL_BENCH_KEYS!, 'utf8')) as string[];
// VEIL_BENCH_SCHEMA / VEIL_BENCH_SQLITE keep the data across restarts (the crash test).
const keep = !!(process.env.VEIL_BENCH_SCHEMA || process.env.VEIL_BENCH_SQLITE);
const schema = process.env.VEIL_BENCH_SCHEMA || `veil_bench_${process.pid}`;
const storage: Storage = kind === 'pg'
  ? await openPostgresStorage({ connectionString: process.env.DATABASE_URL!, schema, dropSchemaOnClose: !keep, max: 16 })
  : openSqliteStorage({ path: process.env.VEIL_BENCH_SQLITE || join(mkdtempSync(join(tmpdir(), 'veil-bench-')), 'veil.sqlite') });

const iss = 'https://issuer.bench';
// A concrete port: signed requests name the origin, which embeds it.
const port = await freePort();
const config: ServerConfig = {
  profile: 'development', host: '127.0.0.1', port, dataDir: '/nonexistent', crs: 'test',
  issuers: [{ id: 'bench', kind: 'oidc', iss, aud: 'bench', variant: 'oidc', jwks: '/nonexistent', authorizationEndpoint: null, label: 'bench' }],
  rateLimit: process.env.VEIL_BENCH_LIMITS === 'off'
    ? { ...DEFAULT_RATE_LIMIT, postsPerKey: 0, postsPerIp: 0, likesPerKey: 0, likesPerIp: 0, membershipsPerIp: 0, groupUpdatesPerIp: 0, pollsPerIp: 0, votesPerIp: 0, groupPostsPerIp: 0, groupLikesPerIp: 0, identityRequestsPerIp: 0 }
    : { ...DEFAULT_RATE_LIMIT, postsPerKey: 1e9, postsPerIp: 1e9, likesPerKey: 1e9, likesPerIp: 1e9, membershipsPerIp: 1e9, groupUpdatesPerIp: 1e9, pollsPerIp: 1e9, votesPerIp: 1e9, groupPostsPerIp: 1e9, groupLikesPerIp: 1e9, identityRequestsPerIp: 1e9 },
  devIssuer: { clientId: 'veil-dev', graceSeconds: 600 }, keyRefreshSeconds: 3600, enclave: { producer: 'none' },
};
const circuit = 'c1'.repeat(32);
const expiry = Math.floor(Date.now() / 1000) + 7 * 86400;
for (const epk of keys) {
  if (await storage.getMembershipStatus(epk)) continue;
  const claims = { iss, aud: 'bench', domain: 'bench.test', epk, expiry, kid: 'k1' };
  await storage.putMembership({
    epk, group: 'bench.test', iss, kid: 'k1', expiry, circuitId: circuit, createdAt: Date.now(),
    bundle: { v: 1, circuit: { name: 'membership', id: circuit }, crs: { id: `test-${'00'.repeat(32)}`, kind: 'test' }, claims, proof: 'AAAA' },
  });
}
const registry = new KeyRegistry({ storage, issuers: [], now: Date.now });
const app = await buildApp({
  config, storage, registry, acceptedCircuits: [circuit],
  verifyMembership: async () => { throw new Error('not used in the bench'); },
});
await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\n`);
const stop = async () => { await app.close(); await storage.close(); process.exit(0); };
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
