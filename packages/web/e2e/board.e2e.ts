/**
 * End to end in Debian's Chromium against the real `veil serve` (development profile: dev issuer,
 * test CRS): sign in at the dev issuer, prove in the page, post publicly and to the members-only
 * board, and check what anonymous readers, members of another group and readers of a tampered post
 * see, infinite scroll and key rotation. Run with `npm run test:e2e` (not part of `npm test`: it
 * proves three times in a browser, ~1.5–2 min on 2 cores).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, OUTPUT } from './harness.ts';
import { tamperPostText } from './tamper.ts';

const PROOF_TIMEOUT = 10 * 60_000;
const UI_TIMEOUT = 60_000;
/** Verifying a post: signature + proof with the precomputed key (or the key computed once). */
const VERIFY_TIMEOUT = 3 * 60_000;

const suite = browserSuite();
const cspViolations = suite.cspViolations;
const newPage = (): Promise<Page> => suite.newPage({ timeoutMs: UI_TIMEOUT, context: { viewport: { width: 900, height: 1000 } } });


/** Signs in through the dev issuer's login page as `email`; resolves once the proof is accepted. */
async function signIn(page: Page, email: string, group: string): Promise<void> {
  await page.goto(`${suite.server().url}/signin`);
  await page.getByRole('button', { name: 'Continue to sign in' }).click();
  // The dev issuer shows its account list, unless it still has a session from an earlier sign-in.
  const account = page.getByRole('button', { name: new RegExp(email.replace(/[.]/g, '\\.')) });
  const back = page.waitForURL(`${suite.server().url}/callback`);
  back.catch(() => {});
  const listed = account.waitFor();
  listed.catch(() => {});
  await Promise.race([back, listed]);
  if (!page.url().startsWith(`${suite.server().url}/callback`)) await account.click();
  await back;
  // The ID token was in the fragment; the app must have wiped it from the URL at once.
  assert.equal(new URL(page.url()).hash, '');
  // Either the proof is accepted (the app moves to the group page) or the page reports why not.
  const failed = page.locator('main .error[role=alert]').filter({ hasText: /./ });
  const joined = page.waitForURL(`${suite.server().url}/g/${group}/public`, { timeout: PROOF_TIMEOUT }).then(() => true);
  const refused = failed.waitFor({ timeout: PROOF_TIMEOUT }).then(() => false);
  joined.catch(() => {});
  refused.catch(() => {});
  if (!(await Promise.race([joined, refused]))) assert.fail(`sign-in failed: ${await failed.textContent()}`);
  assert.doesNotMatch(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })), /eyJ/);
}

async function publish(page: Page, text: string, internal: boolean): Promise<string> {
  const box = page.getByRole('checkbox', { name: /Members only/ });
  if ((await box.isChecked()) !== internal) await box.click();
  await page.getByLabel(/Post as someone at/).fill(text);
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  const article = page.locator('article.post', { hasText: text });
  await article.waitFor();
  const id = await article.getAttribute('data-id');
  assert.match(id ?? '', /^[0-9a-f]{32}$/);
  return id!;
}

function badgeOf(page: Page, text: string) {
  return page.locator('article.post', { hasText: text }).locator('[data-badge]');
}

const PUBLIC_TEXT = `Hello from acme, in public ${Date.now()}`;
const INTERNAL_TEXT = `Acme members only: roadmap ${Date.now()}`;
const TAMPERED_TEXT = `This text will be altered in the database ${Date.now()}`;
let publicId = '';
let internalId = '';
let tamperedId = '';
let alice: Page;

test('alice@acme.test signs in, proves in the page (threads on) and posts publicly and to the board', { timeout: PROOF_TIMEOUT + 120_000 }, async () => {
  const page = await newPage();
  alice = page;
  await page.goto(suite.server().url);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the page must be cross-origin isolated');
  assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), 'function');
  await page.locator('#dev-banner').waitFor();
  await page.locator('#crs-banner').waitFor();

  await signIn(page, 'alice@acme.test', 'acme.test');
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  publicId = await publish(page, PUBLIC_TEXT, false);
  tamperedId = await publish(page, TAMPERED_TEXT, false);
  const like = page.locator('article.post', { hasText: PUBLIC_TEXT }).locator('button.like');
  await like.click();
  await page.locator('article.post', { hasText: PUBLIC_TEXT }).locator('button.like[aria-pressed=true] .like-count', { hasText: '1' }).waitFor();
  await page.goto(`${suite.server().url}/g/acme.test/board`);
  internalId = await publish(page, INTERNAL_TEXT, true);
  await badgeOf(page, INTERNAL_TEXT).and(page.locator('[data-badge=verified]')).waitFor({ timeout: VERIFY_TIMEOUT });

  await page.goto(`${suite.server().url}/identity`);
  assert.equal(await page.locator('#identity-storage').getAttribute('data-kind'), 'webcrypto');
  // The private key is a non-extractable CryptoKey in IndexedDB.
  const extractable = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('veil');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const id = await new Promise<{ privateKey: CryptoKey }>((res, rej) => {
      const r = db.transaction('identity').objectStore('identity').get('current');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    return id.privateKey.extractable;
  });
  assert.equal(extractable, false);
  assert.deepEqual(cspViolations, []);
});

test('a reader without an account sees the public post verified, and not the members-only post', { timeout: PROOF_TIMEOUT }, async () => {
  const page = await newPage();
  await page.goto(suite.server().url);
  await badgeOf(page, PUBLIC_TEXT).and(page.locator('[data-badge=verified]')).waitFor({ timeout: VERIFY_TIMEOUT });
  assert.equal(await page.locator('article.post', { hasText: INTERNAL_TEXT }).count(), 0);
  assert.equal(await page.locator('article.post', { hasText: PUBLIC_TEXT }).locator('.like-count').textContent(), '1');
  await page.screenshot({ path: join(OUTPUT, 'feed.png'), fullPage: true });

  await page.goto(`${suite.server().url}/p/${publicId}`);
  await page.locator('[data-badge=verified]').waitFor({ timeout: VERIFY_TIMEOUT });
  await page.screenshot({ path: join(OUTPUT, 'permalink.png'), fullPage: true });

  await page.goto(`${suite.server().url}/g/acme.test/board`);
  await page.getByText('Only members of acme.test can read this board').waitFor();
  assert.equal(await page.locator('article.post').count(), 0);
  await page.goto(`${suite.server().url}/p/${internalId}`);
  await page.getByRole('heading', { name: 'Post not found' }).waitFor();
  const status = await page.evaluate(async (u) => (await fetch(u)).status, `/api/messages?group=acme.test&internal=true`);
  assert.ok(status === 401 || status === 403, `unsigned members-only read must be refused, got ${status}`);
});

test('carol@globex.test cannot read acme.test’s board', { timeout: PROOF_TIMEOUT + 120_000 }, async () => {
  const page = await newPage();
  await signIn(page, 'carol@globex.test', 'globex.test');
  await page.goto(`${suite.server().url}/g/acme.test/board`);
  await page.getByText('Only members of acme.test can read this board').waitFor();
  // The page sent carol's signed request and the server refused it.
  const refusal = await page.locator('[data-refusal]').getAttribute('data-refusal');
  assert.match(refusal ?? '', /^ERR_/);
  await page.goto(`${suite.server().url}/p/${internalId}`);
  await page.getByRole('heading', { name: 'Post not found' }).waitFor();
  assert.equal(await page.locator('article.post', { hasText: INTERNAL_TEXT }).count(), 0);

  // Enough public posts for a second feed page (pages hold 20).
  await page.goto(`${suite.server().url}/g/globex.test/public`);
  for (let i = 0; i < 21; i++) await publish(page, `Globex note ${i} ${Date.now()}`, false);
});

test('the feed loads older pages as the reader scrolls', { timeout: VERIFY_TIMEOUT }, async () => {
  const page = await newPage();
  await page.goto(suite.server().url);
  const posts = page.locator('article.post');
  await page.locator('.posts[aria-busy=false]').waitFor();
  assert.equal(await posts.count(), 20);
  await page.locator('button.more').scrollIntoViewIfNeeded();
  await page.getByText('End of posts.').waitFor();
  assert.equal(await posts.count(), 23); // alice's 2 public posts + carol's 21
  assert.equal(await page.locator('article.post', { hasText: PUBLIC_TEXT }).count(), 1);
});

test('a post whose text was altered in the database shows a red badge', { timeout: PROOF_TIMEOUT }, async () => {
  await tamperPostText(suite.server().dataDir, tamperedId, `${TAMPERED_TEXT} (edited by the server)`);
  const page = await newPage();
  await page.goto(`${suite.server().url}/p/${tamperedId}`);
  const badge = page.locator('[data-badge=failed]');
  await badge.waitFor().catch(async (e) => assert.fail(`no red badge (${e}); page: ${await page.textContent('main')}`));
  assert.equal(await badge.getAttribute('data-code'), 'ERR_SIGNATURE_INVALID');
  assert.equal(await page.locator('[data-badge=verified]').count(), 0);
  await page.getByText('edited by the server').waitFor();
  await page.screenshot({ path: join(OUTPUT, 'tampered.png'), fullPage: true });
  assert.deepEqual(cspViolations, []);
});

test('"New identity" rotates the key: a fresh sign-in and proof, old posts stay verified', { timeout: PROOF_TIMEOUT + 120_000 }, async () => {
  const page = alice;
  await page.goto(`${suite.server().url}/identity`);
  const before = await page.locator('#identity-epk').textContent();
  await page.getByRole('button', { name: 'New identity' }).click();
  await page.locator('#rotate-confirm').getByRole('button', { name: 'Continue to sign in' }).click();
  await page.waitForURL(`${suite.server().url}/signin?return=%2Fidentity`);
  await signIn(page, 'alice@acme.test', 'acme.test');
  await page.goto(`${suite.server().url}/identity`);
  const after = await page.locator('#identity-epk').textContent();
  assert.match(after ?? '', /^[0-9a-f]{64}$/);
  assert.notEqual(after, before);
  await page.goto(`${suite.server().url}/p/${publicId}`);
  await page.locator('[data-badge=verified]').waitFor({ timeout: VERIFY_TIMEOUT });
  await page.goto(`${suite.server().url}/g/acme.test/board`);
  await badgeOf(page, INTERNAL_TEXT).and(page.locator('[data-badge=verified]')).waitFor({ timeout: VERIFY_TIMEOUT });
});
