/**
 * `/orgs`: the organisations (email domains) with members on this server, each with its anonymity
 * set — how many keys are valid now, so how many people a post "from someone at X" hides among (at
 * most: one person may hold several keys). Small sets get a warning, here and on the group's page.
 */
import type { OrgsResponse } from '@veil/server/schemas';
import { getOrgs } from '../api.ts';
import { h, replace } from '../dom.ts';
import { describeError, retryBlock } from '../failure.ts';
import { relativeTimeEl } from '../post-view.ts';

/** Below this many valid keys a post narrows its author down to very few people. */
export const SMALL_ANONYMITY_SET = 5;

type Org = OrgsResponse['orgs'][number];

function setText(o: Org): string {
  return `${o.activeKeys} registered key${o.activeKeys === 1 ? '' : 's'}`;
}

function smallWarning(o: Org): HTMLElement | null {
  if (o.activeKeys >= SMALL_ANONYMITY_SET) return null;
  return h('p', { class: 'warn', 'data-small-set': o.domain },
    h('strong', {}, 'Small group: '),
    o.activeKeys <= 1
      ? `only ${o.activeKeys === 0 ? 'no key is' : 'one key is'} registered for ${o.domain} now, so a post from it points at very few people — possibly just you.`
      : `only ${o.activeKeys} keys are registered for ${o.domain} now: a post from it hides you among at most ${o.activeKeys} people.`);
}

/** The group page's line about its anonymity set (null when the server has no such group yet). */
export async function anonymityNote(domain: string): Promise<HTMLElement | null> {
  let orgs: Org[];
  try {
    orgs = (await getOrgs()).orgs;
  } catch {
    return null;
  }
  const o = orgs.find((x) => x.domain === domain);
  if (!o) return null;
  return h('div', { class: 'anonymity', id: 'anonymity' },
    h('p', { class: 'hint' }, `Anonymity set: ${setText(o)} for ${domain}. A post here says only “someone at ${domain}”.`),
    smallWarning(o));
}

export async function orgsPage(main: HTMLElement): Promise<void> {
  document.title = 'Groups · Veil';
  const heading = h('h1', { tabindex: -1 }, 'Groups');
  const intro = h('p', {},
    'A group is everyone who can prove an email address at one organisation’s domain. The number of registered keys is the ',
    h('strong', {}, 'anonymity set'), ': a post from a group hides its author among that many keys (one person can hold several, so among at most that many people).');
  const slot = h('div', { class: 'orgs' });
  replace(main, heading, intro, slot);
  const load = async () => {
    let orgs: Org[];
    try {
      orgs = (await getOrgs()).orgs;
    } catch (e) {
      slot.replaceChildren(retryBlock(`Could not load the groups: ${describeError(e)}`, () => void load()));
      return;
    }
    if (orgs.length === 0) {
      replace(slot, h('p', {}, 'No group has members here yet. ', h('a', { href: '/signin' }, 'Sign in'), ' to be the first.'));
      return;
    }
    replace(slot, h('ul', { class: 'org-list', id: 'org-list' }, orgs.map((o) =>
      h('li', { class: 'org', 'data-domain': o.domain },
        h('span', { class: 'org-logo', 'aria-hidden': 'true' }, o.domain.charAt(0).toUpperCase()),
        h('div', {},
          h('h2', {}, h('a', { href: `/g/${o.domain}/public` }, o.domain)),
          h('p', { class: 'org-stats' },
            h('span', { class: 'org-set', 'data-active-keys': o.activeKeys }, setText(o)), ' · ',
            `${o.publicPosts} public post${o.publicPosts === 1 ? '' : 's'}`,
            o.lastPostAt !== null ? [' · last ', relativeTimeEl(o.lastPostAt)] : null),
          smallWarning(o))))));
  };
  await load();
}
