/**
 * Entry point of the browser app: banners (one line each on small screens; tap to expand),
 * navigation, routing. Every page change moves focus to the page's main heading.
 */
import { h, replace } from './dom.ts';
import { parseRoute, startRouter } from './router.ts';
import { appConfig, currentMember } from './state.ts';
import { feedPage } from './pages/feed.ts';
import { postPage } from './pages/post.ts';
import { callbackPage, signinPage, takeFragment } from './pages/signin.ts';
import { memberJoinCallback } from './pages/member-join.ts';
import { identityPage } from './pages/identity.ts';
import { orgsPage } from './pages/orgs.ts';
import { groupsPage, personGroupPage } from './pages/person-groups.ts';
import { pollPage } from './pages/poll.ts';
import { aboutPage, introPanel } from './pages/about.ts';
import { signinHref } from './return-to.ts';
import { describeError, retryBlock } from './failure.ts';
import './styles.css';

// The ID token arrives in the fragment: take it and wipe it from the URL before anything else runs.
const fragment = location.pathname === '/callback' && location.hash ? takeFragment() : null;
let callbackFragment: URLSearchParams | null = fragment;

const banner = document.getElementById('banner')!;
const nav = document.getElementById('nav')!;
const main = document.getElementById('main')!;

async function renderChrome(): Promise<void> {
  const [config, me] = await Promise.all([appConfig(), currentMember()]);
  const notes: HTMLElement[] = [];
  if (config.profile === 'development') {
    notes.push(note('dev', 'dev-banner', 'DEVELOPMENT', 'this server runs the development profile: the built-in dev sign-in provider issues tokens for made-up accounts.'));
  }
  if (config.crs.kind === 'test') {
    notes.push(note('danger', 'crs-banner', 'TEST CRS IN USE', 'proofs here use an insecure, publicly known setup: anyone can forge them. Never rely on these badges.'));
  }
  if (!crossOriginIsolated) {
    notes.push(note('danger', 'isolation-banner', 'SLOW PROVING', 'this page is not cross-origin isolated, so proving runs single-threaded.'));
  }
  for (const i of config.issuers) {
    if (i.keys?.state === 'unavailable') {
      notes.push(note('danger', `issuer-banner-${i.id}`, `${i.label.toUpperCase()} UNAVAILABLE`, `the server could not load this provider's signing keys, so signing in with it fails for now (${i.keys.error ?? 'no reason given'}).`));
    }
  }
  replace(banner, notes);
  replace(nav,
    h('a', { href: '/', class: 'brand' }, h('img', { src: FAVICON, alt: '', width: 20, height: 20 }), 'Veil'),
    h('a', { href: '/' }, 'Feed'),
    h('a', { href: '/orgs' }, 'Groups'),
    h('a', { href: '/groups', id: 'nav-person-groups' }, 'One person, one voice'),
    me ? h('a', { href: `/g/${me.group}/public` }, me.group) : null,
    me ? h('a', { href: `/g/${me.group}/board` }, 'Board') : null,
    h('a', { href: '/about' }, 'How it works'),
    me ? null : h('a', { href: signinHref(), id: 'nav-signin' }, 'Sign in'),
    h('a', { href: '/identity', id: 'nav-identity' }, 'Identity'));
}

/** The favicon (also the brand mark): a veil over a check mark. */
const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2d4ec9"/><path d="M6 12c4-5 16-5 20 0v3c-4-4-16-4-20 0z" fill="#fff" opacity=".85"/><path d="M10 19l4 4 8-9" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>',
)}`;
document.querySelector<HTMLLinkElement>('link[rel=icon]')?.setAttribute('href', FAVICON);

/** A banner: label and text; on small screens one line, and a tap (or Enter) shows the rest. */
function note(kind: string, id: string, label: string, text: string): HTMLElement {
  const p = h('p', { class: `${kind} banner-note`, id, tabindex: 0, role: 'button', 'aria-expanded': 'false' }, h('strong', {}, label), ` — ${text}`);
  const toggle = () => p.setAttribute('aria-expanded', String(p.getAttribute('aria-expanded') !== 'true'));
  p.addEventListener('click', toggle);
  p.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle();
    }
  });
  return p;
}

async function render(): Promise<void> {
  const route = parseRoute(location.pathname);
  main.setAttribute('aria-busy', 'true');
  try {
    await renderChrome();
    const me = await currentMember();
    switch (route.page) {
      case 'feed': {
        await feedPage(main, me, {});
        const intro = introPanel();
        if (intro) main.querySelector('h1')?.after(intro);
        break;
      }
      case 'orgs': await orgsPage(main); break;
      case 'about': aboutPage(main); break;
      case 'group': await feedPage(main, me, { group: route.group }); break;
      case 'board': await feedPage(main, me, { group: route.group, internal: true }); break;
      case 'post': await postPage(main, me, route.id); break;
      case 'signin': await signinPage(main); break;
      case 'callback': {
        const f = callbackFragment;
        callbackFragment = null;
        // The answer to a member-group join (its state) or else to a sign-in.
        if (!(await memberJoinCallback(main, f))) await callbackPage(main, f);
        break;
      }
      case 'identity': await identityPage(main); break;
      case 'groups': await groupsPage(main); break;
      case 'person-group': await personGroupPage(main, route.group); break;
      case 'poll': await pollPage(main, route.id); break;
      default: replace(main, h('h1', { tabindex: -1 }, 'Not found'), h('p', {}, h('a', { href: '/' }, 'Go to the feed')));
    }
  } catch (e) {
    replace(main, h('h1', { tabindex: -1 }, 'Something went wrong'), retryBlock(`This page could not be shown: ${describeError(e)}`, () => void render()));
  } finally {
    main.setAttribute('aria-busy', 'false');
    main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  }
}

startRouter(() => void render());
