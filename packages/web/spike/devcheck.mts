import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { webConfig } from '../src/vite-config.ts';
import { CHROMIUM_ARGS } from '../e2e/harness.ts';
const c = webConfig();
const server = await createServer({ ...c, server: { ...c.server, port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
await server.listen();
const url = server.resolvedUrls!.local[0]!;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const p = await b.newPage();
p.on('pageerror', (e) => console.log('pageerror', e.message));
await p.goto(url);
await p.waitForTimeout(3000);
console.log('coi', await p.evaluate(() => crossOriginIsolated), (await p.textContent('main'))?.slice(0, 200));
// the nonce module (bb.js sync wasm) must load in dev too
console.log(await p.evaluate(async () => { const m = await import('/@id/@veil/crypto/nonce'); const e = new Uint8Array(32).fill(1); return m.nonce(e, new Uint8Array([1]), 1000); }).catch((e) => 'ERR ' + e.message));
await b.close(); await server.close();
