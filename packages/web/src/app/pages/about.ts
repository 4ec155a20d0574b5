/**
 * The explainer: what Veil is, what a group is, what the badge proves, and why the first sign-in
 * takes a few seconds. `/about` always; a short version greets the first visit to the feed.
 */
import { h } from '../dom.ts';
import { proveEstimate } from '../prove-estimate.ts';

const SEEN = 'veil.introSeen';

function seconds(): string {
  const { ms, measured } = proveEstimate();
  return measured ? `about ${Math.max(1, Math.round(ms / 1000))} seconds (your last proof)` : `about ${Math.round(ms / 1000)} seconds`;
}

function points(): HTMLElement[] {
  return [
    h('li', {}, h('strong', {}, 'What Veil is. '), 'A board where people post as “someone at acme.com” — provably a member of that organisation, without saying who.'),
    h('li', {}, h('strong', {}, 'What a group is. '), 'Everyone who can show an email address at one domain (signed in with their organisation’s provider). Each group has public posts and a members-only board. ',
      h('a', { href: '/orgs' }, 'See the groups'), ' and how many keys each has: the more, the better you hide.'),
    h('li', {}, h('strong', {}, 'What the badge proves. '), '“✓ verified in this browser” means your own browser checked the post’s signature and a zero-knowledge proof that its key belongs to someone with a verified email at that domain. The server cannot fake it; it also never learns who wrote the post.'),
    h('li', {}, h('strong', {}, 'Why the first sign-in takes a moment. '), `Your device makes that proof itself — ${seconds()}, once per identity (a key lasts 7 days). It is made here so the sign-in token, which names you, never leaves your browser: only the proof is sent.`),
  ];
}

/** The first-visit panel on the feed; null once dismissed. */
export function introPanel(): HTMLElement | null {
  if (localStorage.getItem(SEEN)) return null;
  const panel = h('section', { class: 'intro', id: 'intro', 'aria-labelledby': 'intro-title' },
    h('h2', { id: 'intro-title' }, 'New here? Veil in four points'),
    h('ul', {}, points()),
    h('div', { class: 'row' },
      h('button', { type: 'button', id: 'intro-dismiss', onclick: () => { localStorage.setItem(SEEN, '1'); panel.remove(); document.querySelector<HTMLElement>('main h1')?.focus(); } }, 'Got it'),
      h('a', { href: '/about' }, 'More on how it works')));
  return panel;
}

export function aboutPage(main: HTMLElement): void {
  document.title = 'How Veil works · Veil';
  main.replaceChildren(
    h('h1', { tabindex: -1 }, 'How Veil works'),
    h('ul', { class: 'about' }, points()),
    h('h2', {}, 'What the server sees'),
    h('p', {}, 'A fresh public key, the group it proves, and the proof. Not your email, not your name, not the token from your provider. Your posts are linked to each other only through that key; “New identity” starts an unlinked one.'),
    h('h2', {}, 'What a post’s page shows'),
    h('p', {}, 'Every check your browser made, passed or failed, the evidence to download, and the command that re-checks it on your own computer (', h('code', {}, 'veil verify-message'), ').'),
    h('h2', {}, 'One person, one voice'),
    h('p', {}, 'Anyone can make many keys, so a like from a key says little. In a ', h('a', { href: '/groups' }, 'person group'),
      ' (everyone enrolled, a nationality, over 18, one organisation’s people) the attested identity service lets each person in once. A vote or like there carries a proof “a member of this group, acting once here” — the same person acting twice is refused, and nobody, not the board nor the identity service, learns which member it was. The group’s size is how many people you hide among.'),
  );
}
