// The verifiers run in a browser: the verifier subpaths are bundled for `platform: 'browser'` (any
// Node built-in would fail the bundle) and run in headless Chromium (Debian's, via playwright-core)
// on real vectors; the facts must equal Node's, and a tampered quote must fail there too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { verifyNitroDocument, verifyQuote, verifySevReport, parseCollateral } from '../src/index.ts';
import { NITRO_TIMES, vec, vecText } from './helpers/vectors.ts';

const ENTRY = `
import { verifyQuote } from '@veil/attest/verify-quote';
import { parseCollateral } from '@veil/attest/intel-collateral';
import { verifyNitroDocument } from '@veil/attest/verify-nitro';
import { verifySevReport } from '@veil/attest/verify-sev';
import { decodeEvidence } from '@veil/attest/decode-evidence';
const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
globalThis.runVerifiers = async (v) => {
  const quote = await verifyQuote(b64(v.quote), { at: new Date('2025-07-01T00:00:00Z'), collateral: parseCollateral(v.collateral) });
  const nitro = await verifyNitroDocument(decodeEvidence(new TextEncoder().encode(v.nitroB64)), { at: new Date(v.nitroAt) });
  const sev = await verifySevReport(b64(v.sev), { at: new Date('2026-01-01T00:00:00Z'), vcek: v.vcek, certChain: v.chain });
  const bad = b64(v.quote); bad[100] ^= 1;
  const tampered = await verifyQuote(bad, { at: new Date('2025-07-01T00:00:00Z') }).then(() => 'accepted', (e) => e.code);
  return { quote, nitro, sev, tampered, hasBuffer: typeof globalThis.Buffer !== 'undefined' };
};
`;

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

test('verifiers run in headless Chromium with the same facts as in Node', { timeout: 180_000 }, async () => {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: new URL('.', import.meta.url).pathname, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]!.text;
  const nitroFile = 'nitro/nitrite_nitro_attestation.cose';
  const vectors = {
    quote: b64(vec('sgx/dcap-qvl_sgx_quote.bin')),
    collateral: vecText('sgx/dcap-qvl_sgx_quote_collateral.json'),
    nitroB64: vecText('nitro/nitrite_nitro_attestation.b64'),
    nitroAt: NITRO_TIMES[nitroFile]!,
    sev: b64(vec('sev/teekit_sev-gcp-reportdata.bin')),
    vcek: vecText('sev/teekit_sev-gcp-vcek.pem'),
    chain: vecText('sev/teekit_sev-gcp-cert-chain.pem'),
  };
  const server = createServer((_, res) => res.end('<!doctype html><title>attest</title>'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // A failed launch must still close the server, or the file never exits.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: 60_000 })
    .catch((e: unknown) => { server.close(); throw e; });
  try {
    const page = await browser.newPage();
    // WebCrypto exists only in secure contexts; http://127.0.0.1 is one, about:blank is not.
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.addScriptTag({ content: code });
    const out = await page.evaluate((v) => (globalThis as unknown as { runVerifiers: (x: unknown) => Promise<any> }).runVerifiers(v), vectors);
    assert.equal(out.hasBuffer, false);
    assert.equal(out.tampered, 'ERR_QUOTE_SIGNATURE');
    const node = {
      quote: await verifyQuote(vec('sgx/dcap-qvl_sgx_quote.bin'), { at: new Date('2025-07-01T00:00:00Z'), collateral: parseCollateral(vectors.collateral) }),
      nitro: await verifyNitroDocument(vec(nitroFile), { at: new Date(vectors.nitroAt) }),
      sev: await verifySevReport(vec('sev/teekit_sev-gcp-reportdata.bin'), { at: new Date('2026-01-01T00:00:00Z'), vcek: vectors.vcek, certChain: vectors.chain }),
    };
    assert.deepEqual(out.quote, JSON.parse(JSON.stringify(node.quote)));
    assert.deepEqual(out.nitro, JSON.parse(JSON.stringify(node.nitro)));
    assert.deepEqual(out.sev, JSON.parse(JSON.stringify(node.sev)));
    assert.equal(out.quote.tcb.status, 'ConfigurationAndSWHardeningNeeded');
  } finally {
    await browser.close();
    server.close();
  }
});
