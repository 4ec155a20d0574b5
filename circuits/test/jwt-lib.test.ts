/**
 * veil_jwt building blocks against their TypeScript references, executed with noir_js:
 * base64url window decoding (packages/crypto lib/base64url), the JSON key scanner (lib/json-scan)
 * on random and adversarial JSON, and the Poseidon2 sponge + hex encoding (bb.js poseidon2Hash).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BarretenbergSync, Fr } from '@aztec/bb.js';
import { execute } from './lib/noir.ts';
import { base64urlDecode, base64urlEncode } from '../../packages/crypto/src/lib/base64url.ts';
import { scanJson } from '../../packages/crypto/src/lib/json-scan.ts';

const enc = new TextEncoder();
const nums = (v: unknown): number[] => (v as string[]).map((x) => Number(BigInt(x)));

/** Runs jwt_base64 on `text` placed at `start` after a '.'; returns the decoded buffer. */
async function decodeWindow(text: string, start: number, before = '.'): Promise<number[]> {
  const src = new Array<number>(64).fill(0x41);
  src[start - 1] = before.charCodeAt(0);
  for (let i = 0; i < text.length; i++) src[start + i] = text.charCodeAt(i);
  return nums(await execute('jwt_base64', { src, start, end: start + text.length }));
}

function expectedWindow(bytes: Uint8Array, start: number): number[] {
  const out = new Array<number>(48).fill(0);
  const base = (3 * (start - (start % 4))) / 4;
  bytes.forEach((b, j) => (out[base + j] = b));
  return out;
}

test('base64url window decoding matches the reference on random inputs', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 4, max: 8 }), async (bytes, start) => {
      const text = base64urlEncode(bytes);
      fc.pre(start + text.length < 63);
      assert.deepEqual(await decodeWindow(text, start), expectedWindow(bytes, start));
    }),
    { numRuns: 24, seed: 7 },
  );
});

test('base64url rejects what the reference rejects', async () => {
  for (const text of ['QUJD+A', 'QUJD/A', 'QUJD=', 'QU.D', 'QUJDR', 'QR', 'QUF', 'QUJD\u0000A']) {
    assert.throws(() => base64urlDecode(text), { code: 'ERR_TOKEN_MALFORMED' });
    await assert.rejects(decodeWindow(text, 5), `${JSON.stringify(text)} must be rejected`);
  }
  await assert.rejects(decodeWindow('QUJD', 5, '_'), 'window must follow a "."');
  await assert.rejects(decodeWindow('QUJD', 2), 'window must start at >= 4');
});

const jsonValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('x","email":"boss@acme.com', '\\', '"', '{"a":1}', '\\"', 'é日'),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const jsonText = fc
  .dictionary(fc.constantFrom('iss', 'email', 'a', 'name', 'b\\"c', 'é'), fc.oneof(jsonValue, fc.array(jsonValue, { maxLength: 2 }), fc.dictionary(fc.constantFrom('email', 'x'), jsonValue, { maxKeys: 2 })), { maxKeys: 4 })
  .chain((o) => fc.constantFrom(JSON.stringify(o), JSON.stringify(o, null, 1), JSON.stringify(o).replace(/,"/g, ' , "')));

test('JSON scanner matches the reference on random JSON (escapes, nesting, UTF-8, spacing)', async () => {
  await fc.assert(
    fc.asyncProperty(jsonText, async (text) => {
      const bytes = enc.encode(text);
      fc.pre(bytes.length <= 96);
      const padded = new Uint8Array(96);
      padded.set(bytes);
      const tags = nums(await execute('jwt_scan', { bytes: Array.from(padded) }));
      assert.deepEqual(tags, scanJson(padded));
      // Keys found are exactly the top-level keys JSON.parse sees (none from inside strings or nested objects).
      const dec = new TextDecoder();
      const found = new Set<string>();
      tags.forEach((t, i) => {
        if (t % 2 === 1) found.add(JSON.parse(dec.decode(padded.subarray(i, tags.indexOf(t - 1, i + 1) + 1))));
      });
      assert.deepEqual(found, new Set(Object.keys(JSON.parse(text))));
    }),
    { numRuns: 30, seed: 11 },
  );
});

test('JSON scanner accepts nesting to depth 6 and rejects deeper or unbalanced text', async () => {
  const pad = (text: string) => {
    const p = new Uint8Array(96);
    p.set(enc.encode(text));
    return p;
  };
  const run = async (text: string) => nums(await execute('jwt_scan', { bytes: Array.from(pad(text)) }));
  const six = '{"a":[{"b":[{"c":[1]}]}],"iss":"x"}';
  assert.deepEqual(await run(six), scanJson(pad(six)));
  await assert.rejects(run('{"a":[{"b":[{"c":[[1]]}]}],"iss":"x"}'), /nesting/);
  await assert.rejects(run('{"a":1}}{"iss":"x"}'), /nesting/);
  await assert.rejects(run('{"a":[1]}]'), /nesting/);
});

test('Poseidon2 sponge and hex encoding match bb.js poseidon2Hash', async () => {
  const bb = await BarretenbergSync.initSingleton();
  const xs = [1n, 2n ** 128n - 1n, 0x1234_5678_9abc_def0n, 1767225600n];
  const [h1, h3, h4, hex] = (await execute('jwt_poseidon2', { x: xs.map((x) => '0x' + x.toString(16)) })) as [string, string, string, string[]];
  const ref = (v: bigint[]) => BigInt(bb.poseidon2Hash(v.map((x) => new Fr(x))).toString());
  assert.equal(BigInt(h1), ref(xs.slice(0, 1)));
  assert.equal(BigInt(h3), ref(xs.slice(0, 3)));
  assert.equal(BigInt(h4), ref(xs));
  assert.equal(String.fromCharCode(...nums(hex)), ref(xs).toString(16).padStart(64, '0'));
});
