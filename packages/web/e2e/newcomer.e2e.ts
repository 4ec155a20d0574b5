/**
 * A newcomer's first minutes, in Debian's Chromium against the real `veil serve` (development
 * profile): the first-visit explainer, a network failure with Retry, sign-in that returns to the
 * page it started from, pseudonyms, the composer's limits and keyboard posting, drafts, the groups
 * list with its anonymity sets, the permalink checklist (all passed; a failing check listed first),
 * "New identity" cancelled, a proof cancelled after a leave warning, an unverified email refused
 * before the prover loads, the phone layout, and axe-core (no serious or critical violations) on
 * every page. One proof in the browser. Screenshots land in test-output/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pseudonym } from '../src/app/pseudonym.ts';
import { assertAccessible, browserSuite, OUTPUT } from './harness.ts';
import { tamperMembershipDomain } from './tamper.ts';

const PROOF_TIMEOUT = 10 * 60_000;
const VERIFY_TIMEOUT = 3 * 60_000;

const suite = browserSuite();
const newPage = (viewport = { width: 1000, height: 900 }, mobile = false): Promise<Page> =>
  suite.newPage({ context: { viewport, ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) } });

let alice: Page;
let postId = '';
let aliceEpk = '';

/** axe-core in the page (evaluated through the devtools protocol, so the page's CSP is untouched). */
/** Picks `email` at the dev issuer (unless it still has a session) and waits for the callback page. */
async function throughDevIssuer(page: Page, email: string): Promise<void> {
  await page.getByRole('button', { name: 'Continue to sign in' }).click();
  const account = page.getByRole('button', { name: new RegExp(email.replace(/[.]/g, '\\.')) });
  const back = page.waitForURL(`${suite.server().url}/callback`);
  back.catch(() => {});
  const listed = account.waitFor();
  listed.catch(() => {});
  await Promise.race([back, listed]);
  if (!page.url().startsWith(`${suite.server().url}/callback`)) await account.click();
  await back;
}

test('first visit: the explainer, a network failure in words with Retry, the About page; accessible', { timeout: 5 * 60_000 }, async () => {
  const page = await newPage();
  // The first feed request fails as if the network were down; Retry asks again.
  let failOnce = true;
  await page.route('**/api/messages?*', (route) => (failOnce ? ((failOnce = false), route.abort('internetdisconnected')) : route.continue()));
  await page.goto(suite.server().url);
  const intro = page.locator('#intro');
  await intro.waitFor();
  for (const words of ['What Veil is', 'What a group is', 'What the badge proves', 'Why the first sign-in takes a moment']) await intro.getByText(words).waitFor();
  assert.match(await intro.textContent() ?? '', /about \d+ seconds, once per identity/);
  const failure = page.locator('.failure[role=alert]');
  await failure.getByText('Could not load posts: The server could not be reached').waitFor();
  await page.screenshot({ path: join(OUTPUT, 'network-failure.png') });
  await failure.getByRole('button', { name: 'Retry' }).click();
  await page.getByText('No posts yet.').waitFor();
  assert.equal(await page.locator('.failure').count(), 0);
  await assertAccessible(page, 'feed, first visit');
  await page.screenshot({ path: join(OUTPUT, 'first-visit-empty.png'), fullPage: true });

  await page.getByRole('button', { name: 'Got it' }).click();
  assert.equal(await intro.count(), 0);
  await page.reload();
  await page.getByText('No posts yet.').waitFor();
  assert.equal(await page.locator('#intro').count(), 0, 'the explainer stays dismissed');

  await page.getByRole('link', { name: 'How it works' }).click();
  await page.getByRole('heading', { level: 1, name: 'How Veil works' }).waitFor();
  // page changes move focus to the main heading
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  await assertAccessible(page, '/about');
});

test('eve (email not verified) is refused before the prover loads', { timeout: 5 * 60_000 }, async () => {
  const page = await newPage();
  const artifacts: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/artifacts/')) artifacts.push(r.url()); });
  await page.goto(`${suite.server().url}/signin`);
  await throughDevIssuer(page, 'eve@acme.test');
  await page.getByText('Sign-in failed.').waitFor();
  assert.match(await page.locator('main .error[role=alert]').textContent() ?? '', /not verified.*\(ERR_EMAIL_UNVERIFIED\)/);
  assert.deepEqual(artifacts, [], 'no prover artifact was fetched');
});

test('alice signs in from the About page and comes back to it; posts by keyboard; pseudonyms; drafts', { timeout: PROOF_TIMEOUT + 120_000 }, async () => {
  const page = await newPage();
  alice = page;
  await page.goto(`${suite.server().url}/about`);
  await page.locator('#nav-signin').click();
  await page.waitForURL(`${suite.server().url}/signin?return=%2Fabout`);
  await assertAccessible(page, '/signin');
  await throughDevIssuer(page, 'alice@acme.test');
  const back = page.waitForURL(`${suite.server().url}/about`, { timeout: PROOF_TIMEOUT }).then(() => true);
  const failed = page.locator('main .error[role=alert]').filter({ hasText: /./ }).waitFor({ timeout: PROOF_TIMEOUT }).then(() => false);
  back.catch(() => {});
  failed.catch(() => {});
  if (!(await Promise.race([back, failed]))) assert.fail(`sign-in failed: ${await page.locator('main .error').textContent()}`);
  await page.getByRole('heading', { level: 1, name: 'How Veil works' }).waitFor();
  assert.equal(new URL(page.url()).hash, '');

  await page.goto(`${suite.server().url}/identity`);
  aliceEpk = (await page.locator('#identity-epk').textContent())!;
  // "New identity" says what will happen, and Cancel leaves everything as it was.
  await page.getByRole('button', { name: 'New identity' }).click();
  const confirm = page.locator('#rotate-confirm');
  await confirm.getByText('Start a new identity?').waitFor();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await confirm.isHidden(), true);
  assert.equal(new URL(page.url()).pathname, '/identity');
  assert.equal(await page.locator('#identity-epk').textContent(), aliceEpk);

  await page.goto(`${suite.server().url}/g/acme.test/public`);
  const box = page.getByLabel(/Post as someone at/);
  const post = page.getByRole('button', { name: 'Post', exact: true });
  const error = page.locator('#compose-error');
  // whitespace only: refused visibly
  await box.fill('   \n  ');
  await post.click();
  await error.getByText('Write something first').waitFor();
  assert.equal(await page.locator('article.post').count(), 0);
  // past the limit: the counter turns red and Post is disabled
  await box.fill('x'.repeat(2001));
  await page.locator('#compose-count.over').waitFor();
  assert.equal(await post.isDisabled(), true);
  await error.getByText('Too long').waitFor();
  // a draft survives navigation
  await box.fill('A draft I will come back to');
  await page.getByRole('link', { name: 'Groups' }).click();
  await page.getByRole('heading', { level: 1, name: 'Groups' }).waitFor();
  await page.goBack();
  await page.getByLabel(/Post as someone at/).waitFor();
  assert.equal(await box.inputValue(), 'A draft I will come back to');

  // Ctrl+Enter posts; focus returns to the composer; the empty state goes
  const text = `Posted from the keyboard ${Date.now()}`;
  await box.fill(text);
  await box.press('Control+Enter');
  const article = page.locator('article.post', { hasText: text });
  await article.waitFor();
  postId = (await article.getAttribute('data-id'))!;
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'compose-text');
  assert.equal(await box.inputValue(), '');
  assert.equal(await page.getByText('No posts yet.').count(), 0);
  // the author is shown by the key's pseudonym, with a relative time and the absolute one on hover
  assert.equal(await article.locator('.author-name').textContent(), pseudonym(aliceEpk).name);
  assert.equal(await article.locator('time[data-relative]').textContent(), 'just now');
  assert.ok((await article.locator('time[data-relative]').getAttribute('title'))!.length > 10);
  // the badge is reachable by keyboard and says its result
  const badge = article.locator('[data-badge=verified]');
  await badge.waitFor({ timeout: VERIFY_TIMEOUT });
  assert.equal(await badge.getAttribute('tabindex'), '0');
  assert.match(await badge.getAttribute('aria-label') ?? '', /^Verified in this browser/);
  await page.locator('#anonymity').getByText('Anonymity set: 1 registered key for acme.test').waitFor();
  await page.locator('[data-small-set="acme.test"]').waitFor();
  // a long post folds behind "Show more"
  const long = `Long post ${Date.now()} ` + 'word '.repeat(150);
  await box.fill(long);
  await post.click();
  const longArticle = page.locator('article.post', { hasText: long.slice(0, 30) });
  const more = longArticle.getByRole('button', { name: 'Show more' });
  await more.click();
  await longArticle.getByRole('button', { name: 'Show less' }).waitFor();
  assert.equal(await longArticle.locator('button.show-more').getAttribute('aria-expanded'), 'true');
  await assertAccessible(page, 'group page with composer');
});

test('the groups list shows each group with its anonymity set and warns when small', { timeout: 2 * 60_000 }, async () => {
  const page = await newPage();
  await page.goto(`${suite.server().url}/orgs`);
  const acme = page.locator('#org-list li[data-domain="acme.test"]');
  await acme.waitFor();
  assert.equal(await acme.locator('[data-active-keys]').getAttribute('data-active-keys'), '1');
  await acme.getByText('1 registered key').waitFor();
  await acme.locator('[data-small-set="acme.test"]').getByText('Small group').waitFor();
  await assertAccessible(page, '/orgs');
  await page.screenshot({ path: join(OUTPUT, 'groups.png'), fullPage: true });
});

test('a first visit once posts exist: explainer, pseudonyms, verified badges', { timeout: VERIFY_TIMEOUT }, async () => {
  const page = await newPage({ width: 1000, height: 1400 });
  await page.goto(suite.server().url);
  await page.locator('#intro').waitFor();
  await page.locator('article.post [data-badge=verified]').first().waitFor({ timeout: VERIFY_TIMEOUT });
  await page.locator('.posts[aria-busy=false]').waitFor();
  await page.screenshot({ path: join(OUTPUT, 'first-visit.png') });
});

test('phone: the development banners take one line each, no sideways scroll', { timeout: VERIFY_TIMEOUT }, async () => {
  const page = await newPage({ width: 390, height: 844 }, true);
  await page.goto(suite.server().url);
  await page.locator('#intro').waitFor();
  await page.locator('article.post [data-badge=verified]').first().waitFor({ timeout: VERIFY_TIMEOUT });
  for (const id of ['#dev-banner', '#crs-banner']) {
    const box = await page.locator(id).evaluate((el) => ({ h: el.getBoundingClientRect().height, line: parseFloat(getComputedStyle(el).lineHeight) }));
    assert.ok(box.h < box.line * 1.5 + 16, `${id} is one line (${box.h}px, line ${box.line}px)`);
  }
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
  await page.screenshot({ path: join(OUTPUT, 'phone.png') });
  // a tap shows the whole text
  await page.locator('#crs-banner').click();
  const opened = await page.locator('#crs-banner').evaluate((el) => el.getBoundingClientRect().height);
  assert.ok(opened > 40, `expanded banner is taller (${opened}px)`);
  await assertAccessible(page, 'feed on a phone');
});

test('the permalink marks every check passed; a failing check is listed first, the rest not reached', { timeout: VERIFY_TIMEOUT * 2 }, async () => {
  const page = await newPage();
  await page.goto(`${suite.server().url}/p/${postId}`);
  await page.locator('[data-badge=verified]').waitFor({ timeout: VERIFY_TIMEOUT });
  const states = () => page.locator('#checklist > li').evaluateAll((lis) => lis.map((li) => `${(li as HTMLElement).dataset.check}:${(li as HTMLElement).dataset.state}`));
  assert.deepEqual(await states(), ['signature:passed', 'membership:passed', 'issuer:passed', 'key:passed', 'time:passed', 'proof:passed']);
  await assertAccessible(page, 'permalink');

  tamperMembershipDomain(suite.server().dataDir, aliceEpk, 'globex.test');
  const fresh = await newPage();
  await fresh.goto(`${suite.server().url}/p/${postId}`);
  await fresh.locator('[data-badge=failed]').waitFor({ timeout: VERIFY_TIMEOUT });
  page.close().catch(() => {});
  const after = await fresh.locator('#checklist > li').evaluateAll((lis) => lis.map((li) => `${(li as HTMLElement).dataset.check}:${(li as HTMLElement).dataset.state}`));
  assert.deepEqual(after, ['membership:failed', 'signature:passed', 'issuer:skipped', 'key:skipped', 'time:skipped', 'proof:skipped']);
  await fresh.locator('#checklist > li[data-state=failed]').getByText('ERR_MEMBERSHIP_GROUP').waitFor();
  await fresh.screenshot({ path: join(OUTPUT, 'checklist-failed.png'), fullPage: true });
});

test('a proof in progress: leaving asks first, Cancel stops it and sends nothing', { timeout: 5 * 60_000 }, async () => {
  const page = await newPage();
  const memberships: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/memberships')) memberships.push(r.method()); });
  await page.goto(`${suite.server().url}/signin`);
  await throughDevIssuer(page, 'bob@acme.test');
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await cancel.waitFor();
  // beforeunload needs a user gesture in the page first
  await page.locator('#prove-eta').click();
  const dialog = new Promise<string>((resolve) => page.once('dialog', (d) => { resolve(d.type()); void d.dismiss(); }));
  void page.reload().catch(() => {});
  assert.equal(await dialog, 'beforeunload');
  await cancel.click();
  await page.locator('#prove-stage', { hasText: 'Cancelled.' }).waitFor();
  await page.getByText('The proof was cancelled; nothing was sent.').waitFor();
  assert.deepEqual(memberships, []);
});
