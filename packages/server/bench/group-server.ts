// A board for group benches and CLI tests: buildApp on SQLite (temp file) or PostgreSQL (a fresh
// schema) with a real warm group-proof verifier (test CRS) and the registrar key from
// VEIL_REGISTRAR_KEY. Prints its port. Group trees change only by signed updates sent to it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '@veil/prover';
import { buildApp, DEFAULT_RATE_LIMIT, KeyRegistry, openPostgresStorage, openSqliteStorage, type ServerConfig, type Storage } from '@veil/server';

const kind = process.env.VEIL_BENCH_DB === 'pg' ? 'pg' : 'sqlite';
const storage: Storage = kind === 'pg'
  ? await openPostgresStorage({ connectionString: process.env.DATABASE_URL!, schema: `veil_gbench_${process.pid}`, dropSchemaOnClose: true, max: 16 })
  : openSqliteStorage({ path: join(mkdtempSync(join(tmpdir(), 'veil-gbench-')), 'veil.sqlite') });
const config: ServerConfig = {
  profile: 'development', host: '127.0.0.1', port: 0, dataDir: '/nonexistent', crs: 'test',
  issuers: [],
  rateLimit: { ...DEFAULT_RATE_LIMIT, postsPerKey: 0, postsPerIp: 0, likesPerKey: 0, likesPerIp: 0, membershipsPerIp: 0,
    groupUpdatesPerIp: 0, pollsPerIp: 0, votesPerIp: 0, groupPostsPerIp: 0, groupLikesPerIp: 0, identityRequestsPerIp: 0 },
  devIssuer: { clientId: 'veil-dev', graceSeconds: 600 }, keyRefreshSeconds: 3600, enclave: { producer: 'none' },
  groups: { registrarKey: process.env.VEIL_REGISTRAR_KEY!, rootWindowMinutes: 10 },
};
const backend = await createBackend({ crs: 'test' });
const app = await buildApp({
  config, storage, registry: new KeyRegistry({ storage, issuers: [], now: Date.now }), acceptedCircuits: [],
  verifyMembership: async () => { throw new Error('no memberships on this board'); },
  verifyGroupProof: (proof, expect) => backend.verifyGroup(proof, expect),
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\n`);
const stop = async () => { await app.close(); await backend.destroy(); await storage.close(); process.exit(0); };
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
