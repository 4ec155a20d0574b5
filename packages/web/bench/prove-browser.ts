/**
 * `npm run bench:browser`: membership proving time in headless Chromium (Debian's, via
 * playwright-core), threads on (the page is cross-origin isolated), with the test CRS. Runs the
 * app's real proving worker on a token shaped like Google's, signed by a fresh RSA-2048 key.
 * Prints the median of 3 runs: total (artifact and CRS fetch, pre-checks, witness, proof, the
 * bundle's self-verification) and from the 'proving' stage on (witness + proof + self-check).
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { nonce } from '@veil/crypto';
import { createBackend } from '@veil/prover';
import { loadTestCrs } from '@veil/prover/crs-node';
import { CHROMIUM_ARGS } from '../e2e/harness.ts';
import { serveBench } from './serve-bench.ts';
import { chromium } from 'playwright-core';

const RUNS = 3;
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// 1. The circuit size, and a test CRS on disk large enough for it.
const backend = await createBackend({ crs: 'test', threads: 2 });
const { total, dyadic } = await backend.circuitSize();
await backend.destroy();
await loadTestCrs(dyadic + 1);

// 2. A Google-shaped ID token bound to a fresh ephemeral key.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench-key', alg: 'RS256', use: 'sig' };
const epk = hex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
const salt = hex(crypto.getRandomValues(new Uint8Array(16)));
const iat = Math.floor(Date.now() / 1000);
const expiry = iat + 7 * 86400;
const header = { alg: 'RS256', kid: 'bench-key', typ: 'JWT' };
const payload = {
  iss: 'https://accounts.google.com', azp: 'veil-bench.apps.googleusercontent.com', aud: 'veil-bench.apps.googleusercontent.com',
  sub: '110169484474386276334', hd: 'acme.test', email: 'alice@acme.test', email_verified: true, at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
  nonce: await nonce(Buffer.from(epk, 'hex'), Buffer.from(salt, 'hex'), expiry), name: 'Alice Anders', given_name: 'Alice', family_name: 'Anders', iat, exp: iat + 3600,
};
const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
const token = `${signingInput}.${createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url')}`;

// 3. The bench page, built with the app's Vite config, served with COOP/COEP next to the artifacts.
const served = await serveBench('index.html');
const { url } = served;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(`${url}/bench/index.html`);
  if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('bench page is not cross-origin isolated');
  const threads = await page.evaluate(() => navigator.hardwareConcurrency);
  const runs: Array<{ totalMs: number; provingMs: number; proofBytes: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const req = { token, jwk, epk, salt, expiry, artifacts: '/artifacts', crs: 'test', threads };
    runs.push(await page.evaluate((r) => (window as never as { runProof: (x: unknown) => Promise<never> }).runProof(r), req));
    console.error(`run ${i + 1}: total ${runs[i]!.totalMs.toFixed(0)} ms, proving stage ${runs[i]!.provingMs.toFixed(0)} ms`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const version = browser.version();
  console.log(`browser: Chromium ${version}, headless, crossOriginIsolated, ${threads} threads`);
  console.log(`circuit: ${total} gates (dyadic ${dyadic})`);
  console.log(`proving stage (witness + proof + self-verify), median of ${RUNS}: ${median(runs.map((r) => r.provingMs)).toFixed(0)} ms`);
  console.log(`total incl. artifact/CRS fetch and bb.js start, median of ${RUNS}: ${median(runs.map((r) => r.totalMs)).toFixed(0)} ms`);
  console.log(`proof bytes: ${runs[0]!.proofBytes}`);
} finally {
  await browser.close();
  served.close();
}
