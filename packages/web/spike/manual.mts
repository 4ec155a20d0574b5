import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../e2e/harness.ts';
const url = process.argv[2]!;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const p = await (await b.newContext()).newPage();
p.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 300)));
p.on('response', (r) => { if (r.status() >= 400) console.log('HTTP', r.status(), r.url()); });
p.on('pageerror', (e) => console.log('pageerror', e.message));
await p.goto(url + '/signin');
await p.getByRole('button', { name: 'Continue to sign in' }).click();
await p.getByRole('button', { name: /alice@acme\.test/ }).click();
await p.waitForURL(url + '/callback');
const t0 = Date.now();
for (let i = 0; i < 120; i++) {
  await p.waitForTimeout(3000);
  const txt = (await p.textContent('main'))?.replace(/\s+/g, ' ').slice(0, 300);
  console.log(((Date.now() - t0) / 1000).toFixed(0), p.url(), txt);
  if (!p.url().endsWith('/callback')) break;
  if (/failed/i.test(txt ?? '')) break;
}
await p.screenshot({ path: '/tmp/manual.png', fullPage: true });
await b.close();
