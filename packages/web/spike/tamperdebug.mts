import { serve, launch } from '../e2e/harness.ts';
import { tamperPostText } from '../e2e/tamper.ts';
const s = await serve();
const b = await launch();
try {
  const p = await (await b.newContext()).newPage();
  p.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 300)));
  p.on('pageerror', (e) => console.log('pageerror', e.message));
  p.on('response', (r) => { if (r.status() >= 400) console.log('HTTP', r.status(), r.url()); });
  await p.goto(s.url + '/signin');
  await p.getByRole('button', { name: 'Continue to sign in' }).click();
  await p.getByRole('button', { name: /alice@acme\.test/ }).click();
  await p.waitForURL(s.url + '/g/acme.test/public', { timeout: 300000 });
  await p.getByLabel(/Post as someone at/).fill('to be tampered');
  await p.getByRole('button', { name: 'Post', exact: true }).click();
  const a = p.locator('article.post', { hasText: 'to be tampered' });
  await a.waitFor();
  const id = (await a.getAttribute('data-id'))!;
  tamperPostText(s.dataDir, id, 'tampered!');
  console.log('tampered', id);
  const q = await (await b.newContext()).newPage();
  q.on('console', (m) => console.log('console2:', m.type(), m.text().slice(0, 300)));
  q.on('pageerror', (e) => console.log('pageerror2', e.message));
  await q.goto(`${s.url}/p/${id}`);
  for (let i = 0; i < 8; i++) {
    await q.waitForTimeout(4000);
    console.log((await q.textContent('main'))?.replace(/\s+/g, ' ').slice(0, 300));
  }
} finally {
  await b.close();
  await s.stop();
}
