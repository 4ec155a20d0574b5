/** Entry point of the browser app: banner, navigation, routing. */
import { h, replace } from './dom.ts';
import { parseRoute, startRouter } from './router.ts';
import { appConfig, currentMember } from './state.ts';
import { feedPage } from './pages/feed.ts';
import { postPage } from './pages/post.ts';
import { callbackPage, signinPage, takeFragment } from './pages/signin.ts';
import { identityPage } from './pages/identity.ts';
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
    notes.push(h('p', { class: 'dev', id: 'dev-banner' }, h('strong', {}, 'DEVELOPMENT'), ' — this server runs the development profile: the built-in dev sign-in provider issues tokens for made-up accounts.'));
  }
  if (config.crs.kind === 'test') {
    notes.push(h('p', { class: 'danger', id: 'crs-banner' }, h('strong', {}, 'TEST CRS IN USE'), ' — proofs here use an insecure, publicly known setup: anyone can forge them. Never rely on these badges.'));
  }
  if (!crossOriginIsolated) {
    notes.push(h('p', { class: 'danger' }, 'This page is not cross-origin isolated, so proving runs single-threaded (slow).'));
  }
  replace(banner, notes);
  replace(nav,
    h('a', { href: '/', class: 'brand' }, 'Veil'),
    h('a', { href: '/' }, 'Feed'),
    me ? h('a', { href: `/g/${me.group}/public` }, me.group) : null,
    me ? h('a', { href: `/g/${me.group}/board` }, 'Board') : null,
    me ? null : h('a', { href: '/signin', id: 'nav-signin' }, 'Sign in'),
    h('a', { href: '/identity', id: 'nav-identity' }, 'Identity'));
}

async function render(): Promise<void> {
  const route = parseRoute(location.pathname);
  main.setAttribute('aria-busy', 'true');
  try {
    await renderChrome();
    const me = await currentMember();
    switch (route.page) {
      case 'feed': await feedPage(main, me, {}); break;
      case 'group': await feedPage(main, me, { group: route.group }); break;
      case 'board': await feedPage(main, me, { group: route.group, internal: true }); break;
      case 'post': await postPage(main, me, route.id); break;
      case 'signin': await signinPage(main); break;
      case 'callback': {
        const f = callbackFragment;
        callbackFragment = null;
        await callbackPage(main, f);
        break;
      }
      case 'identity': await identityPage(main); break;
      default: replace(main, h('h1', { tabindex: -1 }, 'Not found'), h('p', {}, h('a', { href: '/' }, 'Go to the feed')));
    }
  } catch (e) {
    replace(main, h('h1', { tabindex: -1 }, 'Something went wrong'), h('p', { class: 'error' }, String(e)));
  } finally {
    main.setAttribute('aria-busy', 'false');
    main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  }
}

startRouter(() => void render());
