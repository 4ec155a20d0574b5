/**
 * Feed pages: the global feed (`/`), a group's public posts (`/g/:group/public`) and a group's members-only
 * board (`/g/:group/board`, read with signed requests, shown only to members). Older pages load as
 * the end of the list scrolls into view, or with the "Load older posts" button (keyboard users).
 */
import type { FeedItem } from '@veil/server/schemas';
import { ApiError, getFeed, publish } from '../api.ts';
import { h, replace } from '../dom.ts';
import type { Identity } from '../keystore.ts';
import { postView } from '../post-view.ts';
import { appConfig } from '../state.ts';

export interface FeedPageOptions {
  group?: string;
  internal?: boolean;
}

function composer(identity: Identity, opts: FeedPageOptions, onPosted: (item: FeedItem) => void, maxLen: number): HTMLElement {
  const onBoard = opts.internal === true;
  const text = h('textarea', { id: 'compose-text', name: 'text', rows: 3, required: true, maxlength: maxLen * 2 });
  const counter = h('span', { id: 'compose-count', class: 'hint', 'aria-live': 'polite' }, `0 / ${maxLen}`);
  const internal = h('input', { type: 'checkbox', id: 'compose-internal', name: 'internal', checked: onBoard });
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Post');
  text.addEventListener('input', () => {
    counter.textContent = `${[...text.value].length} / ${maxLen}`;
  });
  const form = h(
    'form',
    {
      class: 'composer',
      'aria-label': 'Write a post',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const value = text.value.trim();
        if (!value) return;
        if ([...value].length > maxLen) {
          error.textContent = `Posts are at most ${maxLen} characters.`;
          return;
        }
        submit.disabled = true;
        error.textContent = '';
        try {
          const sent = await publish(identity, value, internal.checked);
          text.value = '';
          counter.textContent = `0 / ${maxLen}`;
          onPosted({ ...sent, likes: 0, receivedAt: Date.now() });
        } catch (err) {
          error.textContent = err instanceof ApiError ? `${err.message} (${err.code})` : String(err);
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('label', { for: 'compose-text' }, `Post as someone at ${identity.group}`),
    text,
    h('div', { class: 'row' },
      h('label', { class: 'check' }, internal, ` Members only (visible to ${identity.group} members)`),
      counter,
      submit),
    error,
  );
  return form;
}

export async function feedPage(main: HTMLElement, identity: Identity | null, opts: FeedPageOptions): Promise<void> {
  const config = await appConfig();
  const title = opts.internal ? `${opts.group} — members-only board` : opts.group ? `Posts from ${opts.group}` : 'All public posts';
  document.title = `${title} · Veil`;
  const heading = h('h1', { tabindex: -1 }, title);
  const list = h('div', { class: 'posts', 'aria-busy': 'true' });
  const more = h('button', { type: 'button', class: 'more' }, 'Load older posts');
  const status = h('p', { class: 'hint', role: 'status' });
  const isMember = !!identity && identity.group === opts.group;

  if (opts.internal && !isMember) {
    // Ask anyway with this key: the server, not this page, decides who reads the board.
    let refusal: ApiError | null = null;
    if (identity) {
      try {
        await getFeed({ group: opts.group, internal: true, limit: 1 }, identity);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        refusal = e;
      }
    }
    if (!identity || refusal) {
      replace(main, heading,
        h('p', {}, `Only members of ${opts.group} can read this board; the server checks a request signed by a key proven to belong to ${opts.group}.`),
        identity && refusal
          ? h('p', { class: 'refusal', 'data-refusal': refusal.code }, `You are signed in as someone at ${identity.group}; the server refused your signed request: ${refusal.message} (${refusal.code}).`)
          : h('p', {}, h('a', { href: '/signin' }, 'Sign in'), ' to prove membership.'));
      return;
    }
  }

  const nav = opts.group
    ? h('p', { class: 'subnav' },
      opts.internal ? h('a', { href: `/g/${opts.group}/public` }, `Public posts of ${opts.group}`) : null,
      !opts.internal && isMember ? h('a', { href: `/g/${opts.group}/board` }, `Members-only board of ${opts.group}`) : null)
    : null;
  const canPost = !!identity && (!opts.group || isMember);
  const form = canPost
    ? composer(identity!, opts, (item) => {
        if (item.message.internal === !!opts.internal && (!opts.group || item.message.group === opts.group)) {
          list.prepend(postView(item, identity));
        } else {
          status.textContent = item.message.internal ? 'Posted to the members-only board.' : 'Posted.';
        }
      }, config.limits.maxTextCodePoints)
    : identity
      ? null
      : h('p', { class: 'hint' }, 'Reading needs no account. ', h('a', { href: '/signin' }, 'Sign in'), ' to post.');
  replace(main, heading, nav, form, list, status, more);

  let cursor: string | null = null;
  let done = false;
  let loading = false;
  const load = async () => {
    if (loading || done) return;
    loading = true;
    more.disabled = true;
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await getFeed({ group: opts.group, internal: opts.internal, cursor }, identity);
      for (const item of page.messages) list.append(postView(item, identity));
      cursor = page.nextCursor;
      done = cursor === null;
      if (done) {
        more.hidden = true;
        observer.disconnect();
        status.textContent = list.childElementCount === 0 ? 'No posts yet.' : 'End of posts.';
      }
    } catch (e) {
      status.textContent = `Could not load posts: ${e instanceof ApiError ? `${e.message} (${e.code})` : String(e)}`;
    } finally {
      loading = false;
      more.disabled = false;
      list.setAttribute('aria-busy', 'false');
    }
  };
  more.addEventListener('click', load);
  const margin = 400;
  // An entry can be stale: the first one is computed while the list is still empty, and may arrive
  // after the first page has rendered. Load only if the button is near the viewport now.
  const observer = new IntersectionObserver((entries) => {
    const near = more.getBoundingClientRect().top < window.innerHeight + margin;
    if (near && entries.some((en) => en.isIntersecting)) void load();
  }, { rootMargin: `${margin}px` });
  observer.observe(more);
  await load();
}
