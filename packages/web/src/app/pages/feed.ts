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
import { checkPostText } from '../post-text.ts';
import { signinHref } from '../return-to.ts';
import { describeError, retryBlock } from '../failure.ts';
import { anonymityNote } from './orgs.ts';

/** Drafts live in this tab's sessionStorage, per board, until posted. */
const draftKey = (opts: FeedPageOptions) => `veil.draft.${opts.group ?? '*'}.${opts.internal ? 'board' : 'public'}`;

export interface FeedPageOptions {
  group?: string;
  internal?: boolean;
}

function composer(identity: Identity, opts: FeedPageOptions, onPosted: (item: FeedItem) => void, maxLen: number): HTMLElement {
  const onBoard = opts.internal === true;
  const text = h('textarea', { id: 'compose-text', name: 'text', rows: 3, 'aria-describedby': 'compose-count compose-error', 'aria-keyshortcuts': 'Control+Enter Meta+Enter' });
  const counter = h('span', { id: 'compose-count', class: 'hint counter' }, `0 / ${maxLen}`);
  const internal = h('input', { type: 'checkbox', id: 'compose-internal', name: 'internal', checked: onBoard });
  const error = h('p', { class: 'error', role: 'alert', id: 'compose-error' });
  const submit = h('button', { type: 'submit' }, 'Post');
  const key = draftKey(opts);
  text.value = sessionStorage.getItem(key) ?? '';
  const update = () => {
    const c = checkPostText(text.value, maxLen);
    counter.textContent = `${c.length} / ${maxLen}`;
    const over = !c.ok && c.reason === 'too-long';
    counter.classList.toggle('over', over);
    text.setAttribute('aria-invalid', String(over));
    submit.disabled = over;
    if (over) error.textContent = `Too long: posts are at most ${maxLen} characters (this one has ${c.length}).`;
    else if (error.dataset.kind === 'length') error.textContent = '';
    error.dataset.kind = over ? 'length' : '';
  };
  update();
  text.addEventListener('input', () => {
    if (text.value) sessionStorage.setItem(key, text.value);
    else sessionStorage.removeItem(key);
    update();
  });
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  const form = h(
    'form',
    {
      class: 'composer',
      'aria-label': 'Write a post',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const value = text.value.trim();
        const c = checkPostText(value, maxLen);
        if (!c.ok) {
          error.textContent = c.reason === 'blank' ? 'Write something first: a post cannot be empty or only spaces.' : `Too long: posts are at most ${maxLen} characters (this one has ${c.length}).`;
          error.dataset.kind = c.reason === 'blank' ? 'blank' : 'length';
          text.focus();
          return;
        }
        submit.disabled = true;
        error.textContent = '';
        try {
          const sent = await publish(identity, value, internal.checked);
          text.value = '';
          sessionStorage.removeItem(key);
          update();
          onPosted({ ...sent, likes: 0, receivedAt: Date.now() });
        } catch (err) {
          error.textContent = describeError(err);
        } finally {
          submit.disabled = false;
          text.focus();
        }
      },
    },
    h('label', { for: 'compose-text' }, `Post as someone at ${identity.group}`),
    text,
    h('p', { class: 'hint' }, 'Ctrl+Enter (⌘+Enter) posts.'),
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
          : h('p', {}, h('a', { href: signinHref() }, 'Sign in'), ' to prove membership.'));
      return;
    }
  }

  const nav = opts.group
    ? h('p', { class: 'subnav' },
      opts.internal ? h('a', { href: `/g/${opts.group}/public` }, `Public posts of ${opts.group}`) : null,
      !opts.internal && isMember ? h('a', { href: `/g/${opts.group}/board` }, `Members-only board of ${opts.group}`) : null)
    : null;
  const anonymity = opts.group ? h('div', { class: 'anonymity-slot' }) : null;
  if (anonymity && opts.group) void anonymityNote(opts.group).then((n) => n && anonymity.append(n));
  const canPost = !!identity && (!opts.group || isMember);
  const form = canPost
    ? composer(identity!, opts, (item) => {
        if (item.message.internal === !!opts.internal && (!opts.group || item.message.group === opts.group)) {
          list.prepend(postView(item, identity));
          status.textContent = '';
        } else {
          status.textContent = item.message.internal ? 'Posted to the members-only board.' : 'Posted.';
        }
      }, config.limits.maxTextCodePoints)
    : identity
      ? null
      : h('p', { class: 'hint' }, 'Reading needs no account. ', h('a', { href: signinHref() }, 'Sign in'), ' to post.');
  const failure = h('div', { class: 'failure-slot' });
  replace(main, heading, nav, anonymity, form, list, failure, status, more);

  let cursor: string | null = null;
  let done = false;
  let loading = false;
  // After a failure only the reader loads again (Retry, More): scrolling must not retry behind the
  // error's back, hammering a server that is down and hiding the message.
  let failed = false;
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
      failure.replaceChildren();
      failed = false;
    } catch (e) {
      failed = true;
      failure.replaceChildren(retryBlock(`Could not load posts: ${describeError(e)}`, () => void load()));
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
    if (!failed && near && entries.some((en) => en.isIntersecting)) void load();
  }, { rootMargin: `${margin}px` });
  observer.observe(more);
  await load();
}
