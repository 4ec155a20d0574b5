/**
 * One post as an `<article>`: the author's pseudonym (named after the key, not the person), group,
 * relative time (absolute on hover), visibility, text ("Show more" when long), verification badge
 * (focusable, announces its result) and like button.
 */
import type { FeedItem, MessageDetail } from '@veil/server/schemas';
import { ApiError, like } from './api.ts';
import { h, replace } from './dom.ts';
import type { Identity } from './keystore.ts';
import { verifyMessage } from './verifier.ts';
import type { Verdict } from './verify-post.ts';
import { pseudonym } from './pseudonym.ts';
import { relativeTime } from './relative-time.ts';

/** Posts longer than this (code points) or with more lines are folded behind "Show more". */
const FOLD_CHARS = 500;
const FOLD_LINES = 8;

const LIKED = 'veil.liked';

function likedSet(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(LIKED) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

function setLiked(id: string, liked: boolean): void {
  const s = likedSet();
  if (liked) s.add(id);
  else s.delete(id);
  localStorage.setItem(LIKED, JSON.stringify([...s].slice(-500)));
}

export function badge(state: 'checking' | Verdict): HTMLElement {
  // Focusable so keyboard and screen-reader users can reach it; the label says the result in words.
  if (state === 'checking') {
    return h('span', { class: 'badge checking', 'data-badge': 'checking', tabindex: 0, 'aria-label': 'Verification: checking in this browser…' }, '… checking');
  }
  // The reason says why the issuer did not confirm the key: it does not publish it (rotated away,
  // or made up), or it could not be reached. Neither badge claims which on its own.
  if (state.ok && state.keySource === 'server') {
    const why = state.reason ?? 'the issuer did not confirm this key';
    return h('span', {
      class: 'badge warn', 'data-badge': 'server-key', tabindex: 0,
      title: `Signature and membership proof checked by this browser, but ${why}`,
      'aria-label': `Key vouched for only by this server: signature and membership proof checked by this browser, but ${why}`,
    }, '⚠ key vouched for only by this server');
  }
  if (state.ok && state.keySource === 'notarised-observation') {
    const why = state.reason ?? 'an attested service observed the key at the issuer';
    return h('span', {
      class: 'badge ok observed', 'data-badge': 'observed-key', tabindex: 0,
      title: `Signature and membership proof checked by this browser with a key the issuer does not confirm now: ${why}`,
      'aria-label': `Verified in this browser with a key an attested service pinned in this app observed at the issuer: ${why}`,
    }, '✓ verified (key observed by an attested service)');
  }
  if (state.ok) {
    return h('span', {
      class: 'badge ok', 'data-badge': 'verified', tabindex: 0,
      title: 'Signature, membership proof and issuer key (published by the issuer) checked by this browser',
      'aria-label': 'Verified in this browser: signature, membership proof and issuer key published by the issuer',
    }, '✓ verified in this browser');
  }
  return h('span', { class: 'badge bad', 'data-badge': 'failed', 'data-code': state.code, tabindex: 0, 'aria-label': `Verification failed: ${state.reason}` }, `✗ failed: ${state.reason}`);
}

/** An absolute time (dates in the past or future that the reader compares: expiries, first seen). */
export function timeEl(ms: number): HTMLElement {
  const d = new Date(ms);
  return h('time', { datetime: d.toISOString(), title: d.toLocaleString() }, d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

/** "5 minutes ago", with the absolute time on hover (and in the accessible name); kept current. */
export function relativeTimeEl(ms: number): HTMLElement {
  const d = new Date(ms);
  const absolute = d.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
  return h('time', { datetime: d.toISOString(), title: absolute, 'data-relative': ms, 'aria-label': `${relativeTime(ms)}, ${absolute}` }, relativeTime(ms));
}

setInterval(() => {
  for (const t of document.querySelectorAll<HTMLElement>('time[data-relative]')) {
    const ms = Number(t.dataset.relative);
    t.textContent = relativeTime(ms);
    t.setAttribute('aria-label', `${relativeTime(ms)}, ${t.title}`);
  }
}, 30_000);

/** The author's avatar and pseudonym. */
export function authorEl(epk: string): HTMLElement {
  const p = pseudonym(epk);
  return h('span', { class: 'author', title: `Pseudonym of the key ${epk.slice(0, 16)}…: the same key always shows the same name` },
    h('img', { class: 'avatar', src: p.icon, alt: '', width: 24, height: 24 }),
    h('span', { class: 'author-name' }, p.name));
}

function textEl(text: string): HTMLElement {
  const p = h('p', { class: 'text' }, text);
  const long = [...text].length > FOLD_CHARS || text.split('\n').length > FOLD_LINES;
  if (!long) return p;
  p.classList.add('folded');
  const toggle = h('button', { type: 'button', class: 'show-more secondary', 'aria-expanded': 'false' }, 'Show more');
  toggle.addEventListener('click', () => {
    const open = p.classList.toggle('folded') === false;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? 'Show less' : 'Show more';
  });
  return h('div', { class: 'text-wrap' }, p, toggle);
}

/**
 * Renders a post and starts verifying it. `identity` signs the detail fetch of members-only posts
 * and the likes; `detail` skips the fetch when the caller already has it (the permalink page).
 */
export function postView(item: FeedItem | MessageDetail, identity: Identity | null, opts: { detail?: MessageDetail; onVerdict?: (v: Verdict) => void } = {}): HTMLElement {
  const m = item.message;
  const status = h('span', { class: 'badge-slot', role: 'status' }, badge('checking'));
  void verifyMessage(item, identity, opts.detail).then((v) => {
    replace(status, badge(v));
    opts.onVerdict?.(v);
  });

  let likes = item.likes;
  let liked = likedSet().has(m.id);
  const count = h('span', { class: 'like-count' }, String(likes));
  const likeError = h('span', { class: 'error', role: 'alert' });
  const btn = h(
    'button',
    {
      type: 'button',
      class: 'like',
      'aria-pressed': String(liked),
      disabled: !identity,
      title: identity ? (liked ? 'Unlike' : 'Like') : 'Sign in to like',
      onclick: async () => {
        if (!identity) return;
        btn.disabled = true;
        try {
          const r = await like(identity, m.id, liked ? 'unlike' : 'like');
          liked = r.liked;
          likes = r.likes;
          setLiked(m.id, liked);
          btn.setAttribute('aria-pressed', String(liked));
          count.textContent = String(likes);
          likeError.textContent = '';
        } catch (e) {
          likeError.textContent = e instanceof ApiError ? e.message : String(e);
        } finally {
          btn.disabled = false;
        }
      },
    },
    '♥ ',
    count,
    h('span', { class: 'visually-hidden' }, ' likes'),
  );

  return h(
    'article',
    { class: m.internal ? 'post internal' : 'post', 'data-id': m.id, 'aria-labelledby': `h-${m.id}` },
    h(
      'header',
      {},
      h('h2', { id: `h-${m.id}`, class: 'post-meta' },
        authorEl(m.epk), h('span', { class: 'at' }, ' at '), h('a', { href: `/g/${m.group}/public` }, m.group)),
      m.internal ? h('span', { class: 'tag' }, 'members only') : null,
      ' ',
      h('a', { href: `/p/${m.id}`, class: 'permalink' }, relativeTimeEl(m.createdAt)),
    ),
    textEl(m.text),
    h('footer', {}, status, btn, likeError),
  );
}
