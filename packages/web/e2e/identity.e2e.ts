/**
 * End to end in Debian's Chromium against the real `veil serve` (development profile): the Identity
 * page verifies the identity service's (simulated) evidence in the browser, logs in at the dev
 * registry as a test person, enrolls, shows the fields, and saves a claims file that verifies
 * offline. No Content-Security-Policy violation on the way. Run with `npm run test:e2e`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { verifyClaims } from '@veil/identity/enroll';
import { buildWeb } from '../src/build.ts';
import { launch, OUTPUT, serve, type Served } from './harness.ts';

let server: Served;
let browser: Browser;

before(async () => {
  await buildWeb();
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

test('Identity page: evidence verified in the browser, dev-registry login, enroll, fields, saved claims verify', { timeout: 5 * 60_000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 900, height: 1200 }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(90_000);
  const csp: string[] = [];
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) csp.push(m.text()); });
  try {
    const config = await (await fetch(`${server.url}/api/config`)).json();
    await page.goto(`${server.url}/identity`);
    await page.locator('#enroll-status[data-verified="true"]').waitFor();
    assert.equal(await page.locator('#enclave-measurement').textContent(), config.enclave.measurement);
    assert.equal(await page.locator('#enclave-kind').getAttribute('data-simulated'), 'true');
    assert.match((await page.locator('#enclave-kind').textContent())!, /SIMULATED/);

    await page.locator('#dev-person').selectOption('juergen');
    await page.locator('#dev-login').click();
    await page.waitForFunction(() => (document.querySelector('#enroll-credential') as HTMLInputElement).value.length === 43);
    await page.locator('#enroll-submit').click();
    await page.locator('#field-name').waitFor();
    assert.equal(await page.locator('#field-name').textContent(), 'Jürgen Weiß');
    assert.equal(await page.locator('#field-birthdate').textContent(), '1978-11-02');
    assert.equal(await page.locator('#field-nationality').textContent(), 'DE');
    await page.screenshot({ path: join(OUTPUT, 'identity-enrolled.png'), fullPage: true });

    const download = page.waitForEvent('download');
    await page.locator('#save-claims').click();
    const file = await (await download).path();
    const facts = await verifyClaims(JSON.parse(await readFile(file!, 'utf8')), { measurements: [config.enclave.measurement], allowSimulation: true });
    assert.deepEqual(facts.claims, { nationality: 'DE', age_over_18: true, unique: true });
    assert.deepEqual(csp, []);
  } finally {
    await ctx.close();
  }
});
