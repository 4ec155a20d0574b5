// `npm run bench:notary`: the notarised fetch (TCP + TLS 1.3 handshake, request held and masked,
// span patched with the GCM tag recomputed, answer parsed) against a plain HTTPS request to the
// same provider (the dev registry on loopback, a fresh TLS 1.3 connection each time, same suite
// and CA pin). Prints p50/p99 over N sequential runs after a warm-up, and the patch cost alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { startDevRegistry } from '@veil/dev-registry';
import { beginNotarisedFetch } from '../src/notary/begin-notarised-fetch.ts';
import { maskCredential } from '../src/notary/mask-credential.ts';
import { deriveTrafficKeys, patchRecordCiphertext } from '../src/notary/lib/tls13-record.ts';

const N = Number(process.env.VEIL_BENCH_N ?? 100);
const line = (name: string, value: string) => process.stdout.write(`${name.padEnd(52)} ${value}\n`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} ms, p99 ${pct(xs, 99).toFixed(2)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'veil-bench-notary-'));
const reg = await startDevRegistry({ dataDir: dir });
const credential = reg.issueCredential('zoe');

function plainFetch(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${reg.url}/api/v1/me`, {
      ca: reg.caPem, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256', agent: false,
      headers: { accept: 'application/json', connection: 'close', authorization: `Bearer ${credential}` },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve();
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function notarised(): Promise<{ begin: number; complete: number; provider: number }> {
  const t0 = performance.now();
  const s = await beginNotarisedFetch(reg.provider);
  const t1 = performance.now();
  const masked = maskCredential(reg.provider, s.mask, credential); // the client's part, in-process here
  const t2 = performance.now();
  const r = await s.complete(masked);
  const t3 = performance.now();
  if (r.record.nationality !== 'IE') throw new Error('wrong record');
  return { begin: t1 - t0, complete: t3 - t2, provider: r.providerTimeMs };
}

try {
  for (let i = 0; i < 10; i++) {
    await plainFetch();
    await notarised();
  }
  const plain: number[] = [];
  const total: number[] = [];
  const begin: number[] = [];
  const complete: number[] = [];
  const overhead: number[] = [];
  for (let i = 0; i < N; i++) {
    let t = performance.now();
    await plainFetch();
    plain.push(performance.now() - t);
    t = performance.now();
    const n = await notarised();
    const all = performance.now() - t;
    total.push(all);
    begin.push(n.begin);
    complete.push(n.complete);
    overhead.push(all - n.provider);
  }
  line(`plain HTTPS GET (new TLS 1.3 connection), N=${N}`, fmt(plain));
  line('notarised fetch, total', fmt(total));
  line('  begin: TCP + handshake + request held + mask', fmt(begin));
  line('  complete: patch + send + answer + parse', fmt(complete));
  line('  service time outside the provider (total - providerTimeMs)', fmt(overhead));
  line('notarised / plain (p50)', `${(pct(total, 50) / pct(plain, 50)).toFixed(2)}×`);

  const keys = deriveTrafficKeys(randomBytes(32));
  const record = new Uint8Array(randomBytes(5 + 300 + 16));
  record.set([23, 3, 3, (316 >> 8) & 0xff, 316 & 0xff]);
  const M = 5000;
  const t = performance.now();
  for (let i = 0; i < M; i++) patchRecordCiphertext(keys.hashKey, record, 240, new Uint8Array(43));
  line('patchRecordCiphertext (300-byte record, 43-byte span)', `${((performance.now() - t) * 1000 / M).toFixed(1)} µs/op`);
} finally {
  await reg.close();
  rmSync(dir, { recursive: true, force: true });
}
