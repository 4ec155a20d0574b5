// Durability: SIGKILL the server in the middle of a concurrent write load, restart it on the same
// data, and check that every post that was answered 2xx is there (SQLite WAL, or PostgreSQL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePost, generateMessageId, type Post } from '@veil/crypto';
import { openPostgresStorage, openSqliteStorage } from '@veil/server';
import { usePg } from '../helpers.ts';

const SERVER = fileURLToPath(new URL('../../bench/api-server.ts', import.meta.url));

function start(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('server did not start')); }, 60_000);
    child.stdout!.on('data', (d) => {
      buf += d;
      const m = /PORT (\d+)/.exec(buf);
      if (m) { clearTimeout(t); resolve({ child, port: Number(m[1]) }); }
    });
    child.once('exit', (c) => { clearTimeout(t); reject(new Error(`server exited ${c}`)); });
  });
}

test('every post acknowledged with 2xx survives a SIGKILL during a write load', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-crash-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const epk = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('hex');
  const keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify([epk]));
  const schema = `veil_crash_${randomBytes(4).toString('hex')}`;
  const sqlitePath = join(dir, 'veil.sqlite');
  const env = { VEIL_BENCH_KEYS: keysFile, ...(usePg ? { VEIL_BENCH_DB: 'pg', VEIL_BENCH_SCHEMA: schema } : { VEIL_BENCH_DB: 'sqlite', VEIL_BENCH_SQLITE: sqlitePath }) };

  const first = await start(env);
  const acked: string[] = [];
  let sent = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && sent < 20_000) {
      sent++;
      const message: Post = { v: 1, id: generateMessageId(), group: 'bench.test', internal: false, text: `crash ${sent}`, createdAt: Date.now(), epk };
      const body = JSON.stringify({ message, signature: sign(null, encodePost(message), privateKey).toString('hex') });
      try {
        const r = await fetch(`http://127.0.0.1:${first.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (r.status === 201) acked.push(message.id);
        else if (r.status !== 201) await r.text();
      } catch {
        // connection reset by the kill: not acknowledged
      }
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  // let the load run, then kill mid-flight
  const deadline = Date.now() + 20_000;
  while (acked.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  stop = true;
  await Promise.all(workers);
  assert.ok(acked.length >= 300, `only ${acked.length} posts acknowledged before the kill`);
  assert.ok(sent > acked.length, 'the kill happened while requests were in flight');

  // restart on the same data and read every acknowledged post back through the API
  const second = await start(env);
  try {
    const present = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const r = (await (await fetch(`http://127.0.0.1:${second.port}/api/messages?group=bench.test&limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        messages: { message: { id: string } }[]; nextCursor: string | null;
      };
      for (const m of r.messages) present.add(m.message.id);
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    const missing = acked.filter((id) => !present.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged posts are missing`);
  } finally {
    second.child.kill('SIGKILL');
    await new Promise((r) => second.child.once('exit', r));
    const s = usePg
      ? await openPostgresStorage({ connectionString: process.env.DATABASE_URL!, schema, dropSchemaOnClose: true })
      : openSqliteStorage({ path: sqlitePath });
    await s.close();
  }
});
