// `npm run bench:ed25519`: the cost of Veil's strict Ed25519 rule on the server's hot path.
// Interleaved rounds (so that other load on the machine hits every variant alike) of
//   openssl  — node:crypto verify with a cached KeyObject (the server before issue 8),
//   server   — verifyEd25519 (lib/ed25519-node.ts: strict R/S byte checks + the cached key checks + OpenSSL),
//   noble    — @veil/crypto verifySignature (what the browser and the CLI run; pure JS).
// 64 keys, as many signers as bench:api; prints the median verifications/s of each.
import { generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto';
import { encodePost, generateMessageId, verifySignature, type Post } from '@veil/crypto';
import { verifyEd25519 } from '../src/lib/ed25519-node.ts';

const ROUNDS = Number(process.env.VEIL_BENCH_ROUNDS ?? 7);
const PER_ROUND = 2000;
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');

const signed = Array.from({ length: 64 }, (_, i) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const epk = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('hex');
  const message: Post = { v: 1, id: generateMessageId(), group: 'bench.test', internal: false, text: `bench post ${i}`, createdAt: Date.now(), epk };
  const payload = encodePost(message);
  return { epk, payload, signature: sign(null, payload, privateKey).toString('hex') };
});
const keyObjects = new Map(signed.map((s) => [s.epk, createPublicKey({ key: Buffer.concat([SPKI, Buffer.from(s.epk, 'hex')]), format: 'der', type: 'spki' })]));

const variants: Record<string, (s: (typeof signed)[number]) => void> = {
  openssl: (s) => { if (!verify(null, s.payload, keyObjects.get(s.epk)!, Buffer.from(s.signature, 'hex'))) throw new Error('bad'); },
  server: (s) => verifyEd25519(s.payload, s.signature, s.epk),
  noble: (s) => { verifySignature(s.payload, s.signature, s.epk); },
};
const rates: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const fn of Object.values(variants)) for (const s of signed) fn(s); // warm caches and JIT
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(variants)) {
    const n = name === 'noble' ? PER_ROUND / 10 : PER_ROUND;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(signed[i % signed.length]!);
    rates[name]!.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`bench:ed25519 — ${ROUNDS} interleaved rounds, node ${process.version}`);
for (const name of Object.keys(variants)) console.log(`${name.padEnd(8)} ${Math.round(median(rates[name]!)).toLocaleString('en')} verifications/s`);
console.log(`server / openssl: ${(median(rates.server!) / median(rates.openssl!)).toFixed(3)}`);
