// veil_sha256 (circuits/lib/sha256) against node:crypto: variable lengths across block boundaries,
// resumed prefix states, garbage after data_len, and lengths whose padding does not fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { sha256PrefixState } from '@veil/crypto';
import { assertUnsatisfiable, execute } from './lib/noir.ts';

const N = 1024;
const CRATE = 'sha256_1024';

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function digestOf(ret: unknown): Uint8Array {
  assert.ok(Array.isArray(ret) && ret.length === 32);
  return Uint8Array.from(ret as string[], (x) => Number(BigInt(x)));
}

async function circuitSha(prefix: Uint8Array, data: Uint8Array, fill: (buf: Uint8Array) => void = () => {}): Promise<Uint8Array> {
  const buf = new Uint8Array(N);
  fill(buf);
  buf.set(data);
  const ret = await execute(CRATE, {
    state: Array.from(sha256PrefixState(prefix), String),
    data: Array.from(buf, String),
    data_len: String(data.length),
    prefix_len: String(prefix.length),
  });
  return digestOf(ret);
}

const MAX = N - 9;
const boundary = [0, 1, 2, 3, 55, 56, 57, 58, 62, 63, 64, 65, 66, 119, 120, 127, 128, 183, 184, 191, 192, MAX - 64, MAX - 1, MAX];

test('matches node:crypto from the IV at block-boundary and random lengths', async () => {
  const lengths = [...boundary, ...Array.from({ length: 4 }, () => randomInt(0, MAX + 1))];
  for (const len of lengths) {
    const data = randomBytes(len);
    assert.deepEqual(await circuitSha(new Uint8Array(0), data), sha256(data), `length ${len}`);
  }
});

test('matches node:crypto when resuming from a prefix state', async () => {
  for (const [plen, len] of [[64, 0], [64, 55], [128, 56], [192, 64], [640, 300], [1024, MAX], [64 * 5, randomInt(0, MAX + 1)]] as const) {
    const prefix = randomBytes(plen);
    const data = randomBytes(len);
    assert.deepEqual(await circuitSha(prefix, data), sha256(prefix, data), `prefix ${plen}, length ${len}`);
  }
});

test('bytes after data_len do not change the digest', async () => {
  for (const len of [0, 55, 56, 64, 500, MAX]) {
    const data = randomBytes(len);
    const garbage = await circuitSha(new Uint8Array(0), data, (buf) => buf.set(randomBytes(N)));
    const ff = await circuitSha(new Uint8Array(0), data, (buf) => buf.fill(0xff));
    assert.deepEqual(garbage, sha256(data), `length ${len}`);
    assert.deepEqual(ff, sha256(data), `length ${len}`);
  }
});

test('rejects data_len whose padding does not fit, and a prefix_len not a multiple of 64', async () => {
  const base = {
    state: Array.from(sha256PrefixState(new Uint8Array(0)), String),
    data: Array.from(randomBytes(N), String),
    prefix_len: '0',
  };
  for (const len of [MAX + 1, N - 1, N, N + 1, 2 ** 32 - 1]) {
    await assertUnsatisfiable(CRATE, { ...base, data_len: String(len) }, `data_len ${len}`);
  }
  await assertUnsatisfiable(CRATE, { ...base, data_len: '10', prefix_len: '32' }, 'prefix_len 32');
});

test('the same library at N = 1536 (generic buffer size)', async () => {
  const n = 1536;
  for (const [plen, len] of [[0, 0], [64, 1000], [0, n - 9]] as const) {
    const prefix = randomBytes(plen);
    const data = randomBytes(len);
    const buf = new Uint8Array(n);
    buf.set(randomBytes(n));
    buf.set(data);
    const ret = await execute('sha256_1536', {
      state: Array.from(sha256PrefixState(prefix), String),
      data: Array.from(buf, String),
      data_len: String(len),
      prefix_len: String(plen),
    });
    assert.deepEqual(digestOf(ret), sha256(prefix, data), `prefix ${plen}, length ${len}`);
  }
});
