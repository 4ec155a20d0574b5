/**
 * One person, one voice, end to end in Debian's Chromium against the real `veil serve`
 * (development profile: dev registry, simulated identity service with its registrar, test CRS):
 * two test people of the dev registry enroll in the browser and join `human` (the identity secret
 * made and kept in each browser, the commitment registered over the attested channel, the leaf found
 * in the tree the page rebuilt from the signed log); one asks a poll, both vote with group proofs
 * made in the browser; the tally, re-verified in the browser from the stored proofs, shows two
 * votes; a second vote by one of them is refused (409 ERR_NULLIFIER_USED) with a readable message.
 * A post in the group shows its verified badge and a "1 per person" like; a country group the claims
 * does not admit shows why there is no Join. Then member:acme.test: Join signs in at the board's
 * dev issuer (nonce bound to the group and the commitment), the token goes to the identity service
 * encrypted, the leaf is found in the rebuilt tree, a poll and one vote follow; the same account
 * from another browser is refused in words; a board naming a registrar key of its own is caught.
 * axe-core on every new page; no Content-Security-Policy violation. One browser, one server, seven proofs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assertAccessible, browserSuite, OUTPUT } from './harness.ts';

const PROOF_TIMEOUT = 3 * 60_000;

const suite = browserSuite();
const csp = suite.cspViolations;
/** A fresh browser profile (its own localStorage: one person each). */
const newPage = (): Promise<Page> => suite.newPage({ timeoutMs: PROOF_TIMEOUT, context: { viewport: { width: 1000, height: 1200 } } });


/** Enrolls `person` of the dev registry on the Identity page (the claims stay in this browser). */
async function enroll(page: Page, person: string): Promise<void> {
  await page.goto(`${suite.server().url}/identity`);
  await page.locator('#enroll-status[data-verified="true"]').waitFor();
  await page.locator('#dev-person').selectOption(person);
  await page.locator('#dev-login').click();
  await page.waitForFunction(() => (document.querySelector('#enroll-credential') as HTMLInputElement).value.length > 0);
  await page.locator('#enroll-submit').click();
  await page.locator('#enroll-groups').getByRole('link', { name: 'human' }).waitFor();
}

/** Joins `human` from its page (being opened); returns the leaf index the page found in the tree it rebuilt. */
async function joinHuman(page: Page): Promise<number> {
  await page.getByRole('heading', { level: 1, name: 'Group human' }).waitFor();
  await page.locator('#join-state[data-state="can-join"]').waitFor();
  await page.locator('#join-submit').click();
  await page.locator('#group-status', { hasText: /^Joined human: your commitment [0-9a-f]{16}… is leaf #\d+ of \d+ \(checked in this browser/ }).waitFor();
  const member = page.locator('#join-state[data-state="member"]');
  await member.waitFor();
  return Number(await member.getAttribute('data-leaf'));
}

test('two people enroll, join human, vote once each; the tally re-verified in the browser shows two; a second vote is refused in words', { timeout: 12 * 60_000 }, async () => {
  const zoe = await newPage();
  const juergen = await newPage();
  let joinRequests = 0;
  const secrets: string[] = [];
  zoe.on('request', (r) => { if (r.url().includes('/api/')) secrets.push(r.postData() ?? ''); });

  // Before anyone joins: the group page checks the empty log and asks to enroll first.
  await zoe.goto(`${suite.server().url}/groups/human`);
  await zoe.locator('#join-state[data-state="not-enrolled"]').waitFor();
  await zoe.locator('#group-tree-check', { hasText: 'log of human is empty' }).waitFor();

  await enroll(zoe, 'zoe');
  juergen.on('request', (r) => { if (r.url().includes('/api/identity-service/')) joinRequests++; });
  await zoe.locator('#enroll-groups').getByRole('link', { name: 'human' }).click();
  assert.equal(await joinHuman(zoe), 0);
  await zoe.locator('#group-size', { hasText: '1 person' }).waitFor();
  const zoeSecret = await zoe.evaluate(() => localStorage.getItem('veil-group-secret'));
  assert.match(zoeSecret ?? '', /^[0-9a-f]{64}$/);
  assert.ok(secrets.every((body) => !body.includes(zoeSecret!)), 'the identity secret never leaves the browser');
  await assertAccessible(zoe, '/groups/human, member');
  await zoe.screenshot({ path: join(OUTPUT, 'group-human.png'), fullPage: true });

  await enroll(juergen, 'juergen');
  // Country and organisation pages (no proof): the claims decide what is offered.
  await juergen.goto(`${suite.server().url}/groups/country/IE`);
  await juergen.locator('#join-state[data-state="not-eligible"]').getByRole('link', { name: 'country:DE' }).waitFor();
  await juergen.goto(`${suite.server().url}/groups/member/acme.test/`);
  await juergen.getByRole('heading', { level: 1, name: 'Group member:acme.test' }).waitFor();
  await juergen.locator('#join-state[data-state="can-join-member"]').waitFor();
  await juergen.locator('#group-tree-check', { hasText: 'log of member:acme.test is empty' }).waitFor();
  await assertAccessible(juergen, '/groups/member/acme.test/');
  await juergen.goto(`${suite.server().url}/identity`);
  await juergen.locator('#person-claims').getByRole('link', { name: 'human' }).click();
  assert.equal(await joinHuman(juergen), 1);
  assert.ok(joinRequests > 0, 'the join went through the identity service relay');
  await juergen.locator('#group-tree[data-size="2"][data-verified="true"]').waitFor();
  await juergen.locator('#group-size', { hasText: '2 people' }).waitFor();

  // Zoë asks; the poll page shows the creator's proof verified here, with the group size.
  await zoe.reload();
  await zoe.locator('#poll-question').fill('Tea or coffee?');
  await zoe.locator('#poll-option-1').fill('tea');
  await zoe.locator('#poll-option-2').fill('coffee');
  await zoe.locator('#poll-create').click();
  await zoe.waitForURL(/\/polls\/[0-9a-f]{32}$/);
  const pollUrl = zoe.url();
  await zoe.getByRole('heading', { level: 1, name: 'Tea or coffee?' }).waitFor();
  await zoe.locator('#results[data-verified-votes="0"]').waitFor();
  const asker = zoe.locator('p', { hasText: 'Asked by:' }).locator('[data-badge=verified]');
  await asker.waitFor();
  assert.equal(await asker.getAttribute('data-group-size'), '2');

  // Both vote with proofs made in their browsers.
  await zoe.getByLabel('tea').check();
  await zoe.locator('#vote-submit').click();
  await zoe.locator('#vote-status', { hasText: /^Your vote was counted \(proof made in this browser in [\d.]+ s\)/ }).waitFor();
  await juergen.goto(pollUrl);
  await juergen.getByLabel('coffee').check();
  await juergen.locator('#vote-submit').click();
  await juergen.locator('#vote-status', { hasText: 'Your vote was counted' }).waitFor();

  // The tally, every vote re-verified in Zoë's browser: two votes from two people.
  await zoe.reload();
  const results = zoe.locator('#results[data-verified-votes="2"][data-agrees="true"]');
  await results.waitFor();
  assert.deepEqual(await results.locator('li[data-option]').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.votes)), ['1', '1']);
  await zoe.locator('#tally-check', { hasText: '2 votes from 2 people, every one re-verified in this browser' }).waitFor();
  await assertAccessible(zoe, '/polls/:id');
  await zoe.screenshot({ path: join(OUTPUT, 'poll-results.png'), fullPage: true });

  // Zoë tries again (a fresh page keeps no memory of her vote): the board refuses, the page says why.
  await zoe.getByLabel('coffee').check();
  await zoe.locator('#vote-submit').click();
  const refusal = zoe.locator('#vote-error');
  await refusal.filter({ hasText: /./ }).waitFor();
  assert.equal(await refusal.textContent(), 'You have already voted in this poll. Each person has one vote here, and this poll does not allow changing it. (ERR_NULLIFIER_USED)');
  assert.equal(await zoe.locator('#vote-status').textContent(), '');
  await zoe.screenshot({ path: join(OUTPUT, 'poll-second-vote.png'), fullPage: true });
  const tally = (await (await fetch(`${pollUrl.replace('/polls/', '/api/polls/')}`)).json()) as { tally: number[]; voters: number };
  assert.deepEqual([tally.tally, tally.voters], [[1, 1], 2]);

  // A post in the group: its badge is verified here with the group size; likes are one per person.
  await juergen.goto(`${suite.server().url}/groups/human`);
  await juergen.locator('#group-post-text').fill('One person, one voice.');
  await juergen.getByRole('button', { name: 'Post', exact: true }).click();
  const post = juergen.locator('#group-posts article.post', { hasText: 'One person, one voice.' });
  await post.locator('[data-badge=verified][data-group-size="2"]').waitFor();
  await post.getByRole('button', { name: /1 per person/ }).waitFor();
  await juergen.locator('#poll-list [data-badge=verified]').first().waitFor();
  await assertAccessible(juergen, '/groups/human with a poll and a post');

  // The list of groups shows human with its size.
  await juergen.goto(`${suite.server().url}/groups`);
  await juergen.locator('#group-list li[data-group="human"] [data-size="2"]').waitFor();
  await assertAccessible(juergen, '/groups');

  // member:acme.test: Join signs in at the board's dev issuer with nonce = memberJoinNonce(group,
  // commitment); the ID token goes only to the identity service; then a poll and one vote.
  const idServiceBodies: string[] = [];
  juergen.on('request', (r) => { if (r.url().includes('/api/identity-service/')) idServiceBodies.push(r.postData() ?? ''); });
  await joinMember(juergen, 'alice@acme.test');
  await juergen.locator('#join-state[data-state="member"][data-leaf="0"]').waitFor();
  await juergen.locator('#group-tree[data-size="1"][data-verified="true"]').waitFor();
  assert.ok(idServiceBodies.length > 0 && idServiceBodies.every((b) => !/eyJ[\w-]+\.eyJ/.test(b)), 'the ID token crosses the relay only encrypted');
  await assertAccessible(juergen, '/groups/member/acme.test/, member');
  await juergen.locator('#poll-question').fill('Lunch at noon?');
  await juergen.locator('#poll-option-1').fill('yes');
  await juergen.locator('#poll-option-2').fill('no');
  await juergen.locator('#poll-create').click();
  await juergen.waitForURL(/\/polls\/[0-9a-f]{32}$/);
  await juergen.getByLabel('yes').check();
  await juergen.locator('#vote-submit').click();
  await juergen.locator('#vote-status', { hasText: 'Your vote was counted' }).waitFor();
  const memberPoll = (await (await fetch(juergen.url().replace('/polls/', '/api/polls/'))).json()) as { poll: { group: string }; tally: number[]; voters: number };
  assert.deepEqual([memberPoll.poll.group, memberPoll.tally, memberPoll.voters], ['member:acme.test', [1, 0], 1]);

  // The same account from another browser (another secret): refused in words, with a way to replace.
  await joinMember(zoe, 'alice@acme.test', false);
  const refused = zoe.locator('#member-join-error');
  await refused.filter({ hasText: /./ }).waitFor();
  assert.match((await refused.textContent()) ?? '', /^Could not join: You are already in this group with another identity secret .*\(ERR_ALREADY_REGISTERED\)$/);
  await zoe.locator('#join-replace').waitFor();

  // A board naming a registrar key of its own: the page refuses its tree before trusting a leaf.
  const fooled = await newPage();
  await fooled.route('**/api/groups', async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as { registrar: string };
    await route.fulfill({ response: res, json: { ...body, registrar: 'ab'.repeat(32) } });
  });
  await fooled.goto(`${suite.server().url}/groups/human`);
  await fooled.getByText(/The board names a registrar key that is not the attested identity service’s.*\(ERR_REGISTRAR_MISMATCH\)/).waitFor();
  assert.deepEqual(csp, []);
});

/** Joins member:<domain of email> from its page, signing in as `email` at the dev issuer; waits for the result. */
async function joinMember(page: Page, email: string, expectJoined = true): Promise<void> {
  const domain = email.split('@')[1]!;
  await page.goto(`${suite.server().url}/groups/member/${domain}/`);
  await page.locator('#join-state[data-state="can-join-member"]').waitFor();
  await page.locator('button.join-member').first().click();
  // The dev issuer shows its account list, unless it still has a session from an earlier sign-in.
  const account = page.getByRole('button', { name: new RegExp(email.replace(/[.]/g, '\\.')) });
  const back = page.waitForURL((u) => u.origin === suite.server().url && u.pathname === '/callback');
  back.catch(() => {});
  const listed = account.waitFor();
  listed.catch(() => {});
  await Promise.race([back, listed]);
  if (!page.url().startsWith(suite.server().url) || new URL(page.url()).pathname.startsWith('/dev-issuer')) await account.click();
  await back;
  if (expectJoined) await page.locator('#group-status', { hasText: new RegExp(`^Joined member:${domain.replace(/[.]/g, '\\.')}: your commitment [0-9a-f]{16}… is leaf #\\d+`) }).waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the ID token is wiped from the URL');
}
