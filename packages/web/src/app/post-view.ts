/** One post as an `<article>`: text, group, time, visibility, verification badge and like button. */
import type { FeedItem, MessageDetail } from '@veil/server/schemas';
import { ApiError, like } from './api.ts';
import { h, replace } from './dom.ts';
import type { Identity } from './keystore.ts';
import { verifyMessage } from './verifier.ts';
import type { Verdict } from './verify-post.ts';

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
  if (state === 'checking') {
    return h('span', { class: 'badge checking', 'data-badge': 'checking' }, '… checking');
  }
  if (state.ok && state.keySource === 'server') {
    return h('span', { class: 'badge warn', 'data-badge': 'server-key', title: `Signature and membership proof checked by this browser, but ${state.reason ?? 'the issuer does not publish this key'}` }, '⚠ key vouched for only by this server');
  }
  if (state.ok) {
    return h('span', { class: 'badge ok', 'data-badge': 'verified', title: 'Signature, membership proof and issuer key (published by the issuer) checked by this browser' }, '✓ verified in this browser');
  }
  return h('span', { class: 'badge bad', 'data-badge': 'failed', 'data-code': state.code }, `✗ failed: ${state.reason}`);
}

export function timeEl(ms: number): HTMLElement {
  const d = new Date(ms);
  return h('time', { datetime: d.toISOString(), title: d.toLocaleString() }, d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

/**
 * Renders a post and starts verifying it. `identity` signs the detail fetch of members-only posts
 * and the likes; `detail` skips the fetch when the caller already has it (the permalink page).
 */
export function postView(item: FeedItem | MessageDetail, identity: Identity | null, opts: { detail?: MessageDetail } = {}): HTMLElement {
  const m = item.message;
  const status = h('span', { class: 'badge-slot', role: 'status' }, badge('checking'));
  void verifyMessage(item, identity, opts.detail).then((v) => replace(status, badge(v)));

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
        'someone at ', h('a', { href: `/g/${m.group}/public` }, m.group)),
      m.internal ? h('span', { class: 'tag' }, 'members only') : null,
      ' ',
      h('a', { href: `/p/${m.id}`, class: 'permalink' }, timeEl(m.createdAt)),
    ),
    h('p', { class: 'text' }, m.text),
    h('footer', {}, status, btn, likeError),
  );
}
