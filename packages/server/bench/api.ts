// `npm run bench:api`: signed posts/s, feed reads/s and p99 latency with autocannon on loopback,
// for SQLite and (when DATABASE_URL is set and reachable) PostgreSQL. The server runs in a child
// process; the posts are signed beforehand (node:crypto Ed25519) so that the load generator only
// sends. Each phase is bounded in time (VEIL_BENCH_SECONDS, default 10).
import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { encodePost, generateMessageId, type Post } from '@veil/crypto';

const SECONDS = Number(process.env.VEIL_BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;
const KEYS = 64;
const here = fileURLToPath(new URL('.', import.meta.url));

const keys = Array.from({ length: KEYS }, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('hex');
  return { privateKey, epk: raw };
});
const keysFile = join(mkdtempSync(join(tmpdir(), 'veil-bench-keys-')), 'keys.json');
writeFileSync(keysFile, JSON.stringify(keys.map((k) => k.epk)));

function presign(n: number): string[] {
  const out: string[] = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const k = keys[i % KEYS]!;
    const message: Post = { v: 1, id: generateMessageId(), group: 'bench.test', internal: false, text: `bench post ${i} — with some text to make it realistic`, createdAt: now, epk: k.epk };
    out.push(JSON.stringify({ message, signature: sign(null, encodePost(message), k.privateKey).toString('hex') }));
  }
  return out;
}

async function startServer(db: 'sqlite' | 'pg'): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'api-server.ts')], {
    env: { ...process.env, VEIL_BENCH_DB: db, VEIL_BENCH_KEYS: keysFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('bench server did not start')), 60_000);
    child.stdout!.on('data', (d) => {
      buf += d;
      const m = /PORT (\d+)/.exec(buf);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
    child.once('exit', (c) => reject(new Error(`bench server exited ${c}`)));
  });
  return {
    port,
    stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 5000).unref(); }),
  };
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function bench(db: 'sqlite' | 'pg') {
  const server = await startServer(db);
  try {
    const url = `http://127.0.0.1:${server.port}`;
    // Enough posts for the whole phase at 2x the target rate.
    const bodies = presign(Math.max(20_000, SECONDS * 8_000));
    let i = 0;
    const posts = await run({
      url, connections: CONNECTIONS, duration: SECONDS, pipelining: 1,
      requests: [{ method: 'POST', path: '/api/messages', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
    });
    const reads = await run({ url: `${url}/api/messages?limit=20`, connections: CONNECTIONS, duration: SECONDS, pipelining: 1 });
    const ok = (r: autocannon.Result) => r['2xx'];
    return {
      db,
      postsPerSec: Math.round(ok(posts) / SECONDS),
      postsNon2xx: posts.non2xx + posts.errors,
      postP99ms: posts.latency.p99,
      readsPerSec: Math.round(ok(reads) / SECONDS),
      readsNon2xx: reads.non2xx + reads.errors,
      readP99ms: reads.latency.p99,
    };
  } finally {
    await server.stop();
  }
}

const results = [await bench('sqlite')];
if (process.env.DATABASE_URL) results.push(await bench('pg'));
else process.stdout.write('(PostgreSQL skipped: set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test)\n');
process.stdout.write(`bench:api — ${SECONDS} s per phase, ${CONNECTIONS} connections, loopback, node ${process.version}, rate limits ${process.env.VEIL_BENCH_LIMITS === 'off' ? 'off' : 'counted'}\n`);
for (const r of results) {
  process.stdout.write(
    `${r.db.padEnd(7)} signed posts/s ${String(r.postsPerSec).padStart(6)} (p99 ${r.postP99ms} ms, non-2xx ${r.postsNon2xx})   ` +
      `feed reads/s ${String(r.readsPerSec).padStart(6)} (p99 ${r.readP99ms} ms, non-2xx ${r.readsNon2xx})\n`,
  );
}
