/**
 * One-person groups: `/groups` lists every group the board holds (with its size: the anonymity
 * set); `/groups/<kind>[/<value>]` is one group — its size and root as rebuilt in this browser from
 * the registrar-signed leaf log, "Join this group" (after enrollment), its polls and its posts, each
 * with a badge verified here. Likes there are one per person.
 *
 * Joining: the identity secret is made and kept in this browser (person-store.ts); only its
 * commitment goes to the identity service — over the attested HPKE channel, with the saved claims
 * and a signature of the enrollment key — whose registrar inserts it into the board's tree. The
 * leaf is then looked up in the tree this browser rebuilt, not taken from the service's answer.
 * A `member:<domain>` group is joined with a sign-in at the board's issuer instead (member-join.ts).
 */
import { joinGroup } from '@veil/identity/enroll';
import type { GroupInfo, GroupPostItem } from '@veil/server/schemas';
import { ApiError } from '../api.ts';
import { h, replace } from '../dom.ts';
import { describeError, retryBlock } from '../failure.ts';
import { refusalText, type GroupAction } from '../error-text.ts';
import {
  commitmentOf, createPoll, getGroupPolls, getGroupPosts, getGroups, likeGroupPost, pollItem, postItem, publishGroupPost, verifiedTree, verifyItems,
} from '../group-client.ts';
import { groupBadge, groupDescription, groupLink, treeFacts } from '../group-view.ts';
import { connectViaBoard } from '../identity-service.ts';
import { memberJoinControls } from './member-join.ts';
import { download, eligibleGroups, enrollmentKey, identitySecret, loadClaims, loadSecret } from '../person-store.ts';
import { relativeTimeEl } from '../post-view.ts';
import { appConfig } from '../state.ts';
import { checkPostText } from '../post-text.ts';
import type { TreeSummary } from '../workers/group-protocol.ts';

const codeOf = (e: unknown) => (e as { code?: unknown }).code;
const refusal = (e: unknown, action: GroupAction) => (typeof codeOf(e) === 'string' ? refusalText(codeOf(e) as string, (e as Error).message ?? '', action) : describeError(e));

export async function groupsPage(main: HTMLElement): Promise<void> {
  document.title = 'Person groups · Veil';
  const slot = h('div', {});
  replace(main,
    h('h1', { tabindex: -1 }, 'Person groups'),
    h('p', {}, 'In a person group each enrolled person holds one leaf, so a poll counts one vote per person and a like one per person — and a proof says only “a member of this group”, never which one. The size is the ',
      h('strong', {}, 'anonymity set'), '. Sizes here are as the board lists them; a group’s page rebuilds its tree from the signed log and checks them in this browser.'),
    slot);
  let groups: GroupInfo[];
  try {
    groups = (await getGroups()).groups;
  } catch (e) {
    replace(slot, retryBlock(`Could not load the groups: ${describeError(e)}`, () => void groupsPage(main)));
    return;
  }
  const claims = loadClaims();
  const offer = claims ? eligibleGroups(claims.claims).filter((g) => !groups.some((x) => x.id === g)) : ['human'];
  replace(slot,
    groups.length === 0 ? h('p', {}, 'Nobody has joined a group on this board yet.') : null,
    h('ul', { class: 'org-list', id: 'group-list' },
      groups.map((g) => h('li', { class: 'org', 'data-group': g.id },
        h('div', {},
          h('h2', {}, groupLink(g.id)),
          h('p', { class: 'org-stats' }, h('span', { 'data-size': g.size }, `${g.size} ${g.size === 1 ? 'person' : 'people'}`), ' · ', groupDescription(g.id))))),
      offer.map((g) => h('li', { class: 'org', 'data-group': g },
        h('div', {}, h('h2', {}, groupLink(g)), h('p', { class: 'org-stats' }, 'nobody yet · ', groupDescription(g)))))));
}

/** The join section: what is kept where, then the state (member, can join, or why not). */
async function joinSection(group: string, tree: TreeSummary, onJoined: (note: string) => void): Promise<HTMLElement> {
  const section = h('section', { id: 'join', 'aria-labelledby': 'join-h' }, h('h2', { id: 'join-h' }, 'Membership'));
  const secretNote = h('p', { class: 'hint', id: 'secret-note' },
    'Your identity secret is made in this browser and kept in its local storage for this site (scripts of this site can read it; no server ever receives it). ',
    'Joining sends only its commitment — a Poseidon2 hash of it — to the identity service, encrypted to the service’s attested key; the board then learns a new leaf, not whose it is. ',
    'Votes, polls, posts and likes carry a zero-knowledge proof made here from the secret.');
  if (tree.index >= 0) {
    section.append(
      h('p', { id: 'join-state', 'data-state': 'member', 'data-leaf': tree.index }, `✓ You are in ${group}: leaf #${tree.index} of ${tree.leaves}, found by this browser in the tree it rebuilt from the signed log.`),
      secretNote,
      h('button', { type: 'button', class: 'secondary', id: 'save-secret', onclick: () => download('veil-identity-secret.json', `${JSON.stringify({ secret: loadSecret() })}\n`) }, 'Save the identity secret (for the CLI’s --secret)'));
    return section;
  }
  const config = await appConfig();
  if (group.startsWith('member:')) {
    section.append(...await memberJoinControls(group), secretNote);
    return section;
  }
  if (!config.enclave) {
    section.append(h('p', { id: 'join-state', 'data-state': 'none' }, 'This board runs no identity service, so nobody can join here.'));
    return section;
  }
  const claims = loadClaims();
  if (!claims) {
    section.append(h('p', { id: 'join-state', 'data-state': 'not-enrolled' }, 'To join, first enroll on the ', h('a', { href: '/identity' }, 'Identity page'), ': the identity service checks once that you are one person.'));
    return section;
  }
  if (!eligibleGroups(claims.claims).includes(group)) {
    section.append(h('p', { id: 'join-state', 'data-state': 'not-eligible' }, `Your attested claims do not admit you to ${group}. You can join: `,
      eligibleGroups(claims.claims).map((g, i) => [i ? ', ' : '', groupLink(g)]), '.'));
    return section;
  }
  const status = h('p', { role: 'status', id: 'join-status' });
  const error = h('p', { class: 'error', role: 'alert', id: 'join-error' });
  const join = async (replaceOld: boolean) => {
    button.disabled = true;
    error.textContent = '';
    replace(again);
    try {
      status.textContent = 'Verifying the identity service’s evidence in this browser…';
      const conn = await connectViaBoard(config);
      const secret = identitySecret();
      const commitment = await commitmentOf(secret);
      status.textContent = 'Registering your commitment through the attested channel…';
      const joined = await joinGroup(conn, { group, commitment, claims, key: enrollmentKey(), replace: replaceOld });
      const t = await verifiedTree(group, commitment);
      if (t.index !== joined.leafIndex) throw new ApiError(0, 'ERR_GROUP_LOG_INVALID', `the identity service says leaf #${joined.leafIndex}, but the board's signed log has your commitment at ${t.index < 0 ? 'no leaf' : `#${t.index}`}`);
      onJoined(`Joined ${group}: your commitment ${commitment.slice(0, 16)}… is leaf #${t.index} of ${t.leaves} (checked in this browser against the signed log).`);
    } catch (e) {
      status.textContent = '';
      error.textContent = `Could not join: ${refusal(e, 'join')}`;
      if (codeOf(e) === 'ERR_ALREADY_REGISTERED') {
        replace(again, h('button', { type: 'button', class: 'secondary', id: 'join-replace', onclick: () => void join(true) }, 'Replace it with this browser’s secret'));
      }
    } finally {
      button.disabled = false;
    }
  };
  const again = h('div', { class: 'row' });
  const button = h('button', { type: 'button', id: 'join-submit', onclick: () => void join(false) }, 'Join this group');
  section.append(
    h('p', { id: 'join-state', 'data-state': 'can-join' }, `Your claims (saved in this browser at enrollment) admit you to ${group}.`),
    secretNote, button, again, status, error);
  return section;
}

function pollForm(group: string, secret: string): HTMLElement {
  const question = h('input', { id: 'poll-question', type: 'text', maxlength: 500, required: true, autocomplete: 'off' });
  const options = h('div', { id: 'poll-options' });
  const addOption = () => {
    const n = options.childElementCount + 1;
    const id = `poll-option-${n}`;
    options.append(h('div', { class: 'row' }, h('label', { for: id }, `Option ${n} `), h('input', { id, type: 'text', maxlength: 200, class: 'poll-option', autocomplete: 'off' })));
  };
  addOption();
  addOption();
  const allowChange = h('input', { type: 'checkbox', id: 'poll-allow-change' });
  const closes = h('input', { type: 'datetime-local', id: 'poll-closes' });
  const status = h('p', { role: 'status', id: 'poll-create-status' });
  const error = h('p', { class: 'error', role: 'alert', id: 'poll-create-error' });
  const submit = h('button', { type: 'submit', id: 'poll-create' }, 'Ask');
  return h('form', {
    class: 'composer', id: 'poll-form', 'aria-labelledby': 'poll-form-h',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      error.textContent = '';
      const opts = [...options.querySelectorAll<HTMLInputElement>('input.poll-option')].map((i) => i.value.trim()).filter(Boolean);
      if (!question.value.trim()) { error.textContent = 'Write a question first.'; return; }
      if (opts.length < 2 || new Set(opts).size !== opts.length) { error.textContent = 'Give at least two different options.'; return; }
      // datetime-local is this device's local time; the poll carries the instant (ms).
      const closesAt = closes.value ? new Date(closes.value).getTime() : null;
      if (closesAt !== null && !(closesAt > Date.now())) { error.textContent = 'The closing time must be in the future.'; return; }
      submit.disabled = true;
      status.textContent = 'Making your membership proof in this browser…';
      try {
        const { id } = await createPoll(secret, { group, question: question.value.trim(), options: opts, closesAt, allowChange: allowChange.checked });
        location.assign(`/polls/${id}`);
      } catch (err) {
        status.textContent = '';
        error.textContent = `The poll was not created: ${refusal(err, 'poll')}`;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h3', { id: 'poll-form-h' }, 'Ask the group'),
  h('label', { for: 'poll-question' }, 'Question'), question, options,
  h('div', { class: 'row' }, h('label', { for: 'poll-closes' }, 'Closes (optional) '), closes),
  h('div', { class: 'row' },
    h('button', { type: 'button', class: 'secondary', onclick: () => { if (options.childElementCount < 16) addOption(); } }, 'Add an option'),
    h('label', { class: 'check' }, allowChange, ' Voters may change their vote'),
    submit),
  h('p', { class: 'hint' }, 'The poll carries a proof that a member of the group asked it — not which one.'),
  status, error);
}

function groupPostView(item: GroupPostItem, group: string, secret: string | null): HTMLElement {
  const p = item.post;
  const badge = h('span', { class: 'badge-slot', role: 'status' }, groupBadge('checking', group));
  void verifyItems(group, [postItem(item)]).then(
    ([v]) => replace(badge, groupBadge(v!, group)),
    (e: unknown) => replace(badge, groupBadge({ ok: false, code: String(codeOf(e) ?? 'ERR_VERIFIER'), reason: (e as Error).message }, group)),
  );
  const count = h('span', { class: 'like-count' }, String(item.likes));
  const likeError = h('span', { class: 'error', role: 'alert' });
  const btn = h('button', {
    type: 'button', class: 'like', disabled: !secret,
    title: secret ? 'Like: one per person (a proof is made in this browser)' : 'Join the group to like',
    onclick: async () => {
      if (!secret) return;
      btn.disabled = true;
      likeError.textContent = '';
      try {
        count.textContent = String((await likeGroupPost(secret, group, p.id)).likes);
        btn.setAttribute('aria-pressed', 'true');
      } catch (e) {
        likeError.textContent = refusal(e, 'like');
      } finally {
        btn.disabled = false;
      }
    },
  }, '♥ ', count, h('span', { class: 'visually-hidden' }, ' likes'), h('span', { class: 'per-person' }, ' · 1 per person'));
  return h('article', { class: 'post', 'data-id': p.id, 'aria-labelledby': `h-${p.id}` },
    h('header', {}, h('h3', { id: `h-${p.id}`, class: 'post-meta' }, 'A member of ', group), ' ', relativeTimeEl(p.createdAt)),
    h('p', { class: 'text' }, p.text),
    h('footer', {}, badge, btn, likeError));
}

function postComposer(group: string, secret: string, maxLen: number, onPosted: (item: GroupPostItem) => void): HTMLElement {
  const text = h('textarea', { id: 'group-post-text', rows: 3 });
  const error = h('p', { class: 'error', role: 'alert', id: 'group-post-error' });
  const submit = h('button', { type: 'submit' }, 'Post');
  return h('form', {
    class: 'composer', 'aria-label': 'Write a post to the group',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const c = checkPostText(text.value.trim(), maxLen);
      if (!c.ok) { error.textContent = c.reason === 'blank' ? 'Write something first.' : `Too long: at most ${maxLen} characters.`; return; }
      submit.disabled = true;
      error.textContent = '';
      try {
        onPosted(await publishGroupPost(secret, group, text.value.trim()));
        text.value = '';
      } catch (err) {
        error.textContent = refusal(err, 'post');
      } finally {
        submit.disabled = false;
      }
    },
  }, h('label', { for: 'group-post-text' }, `Post as “a member of ${group}”`), text, h('div', { class: 'row' }, submit), error);
}

export async function personGroupPage(main: HTMLElement, group: string, note?: string): Promise<void> {
  document.title = `${group} · Veil`;
  const heading = h('h1', { tabindex: -1 }, `Group ${group}`);
  const status = h('p', { role: 'status', id: 'group-status' }, note ?? '');
  replace(main, heading, h('p', {}, groupDescription(group)), status, h('p', { class: 'hint' }, 'Rebuilding the group tree from the board’s signed leaf log in this browser…'));
  const config = await appConfig();
  let tree: TreeSummary;
  let claimed: GroupInfo | null;
  const secret = loadSecret();
  let commitment: string | undefined;
  try {
    commitment = secret ? await commitmentOf(secret) : undefined;
    tree = await verifiedTree(group, commitment);
    claimed = (await getGroups()).groups.find((g) => g.id === group) ?? null;
  } catch (e) {
    replace(main, heading, retryBlock(`Could not check this group: ${refusal(e, 'join')}`, () => void personGroupPage(main, group)));
    return;
  }
  const member = secret !== null && tree.index >= 0;
  const join = await joinSection(group, tree, (n) => void personGroupPage(main, group, n).then(() => main.querySelector<HTMLElement>('#group-status')?.focus()));

  const polls = h('ul', { class: 'poll-list', id: 'poll-list' });
  const posts = h('div', { class: 'posts', id: 'group-posts' });
  replace(main, heading,
    h('p', {}, groupDescription(group)),
    status,
    treeFacts(group, tree, claimed),
    join,
    h('section', { id: 'polls', 'aria-labelledby': 'polls-h' },
      h('h2', { id: 'polls-h' }, 'Polls'),
      member ? pollForm(group, secret!) : h('p', { class: 'hint' }, 'Members can ask a poll; everyone can read the results.'),
      polls),
    h('section', { id: 'posts', 'aria-labelledby': 'posts-h' },
      h('h2', { id: 'posts-h' }, 'Posts'),
      member ? postComposer(group, secret!, config.limits.maxTextCodePoints, (item) => posts.prepend(groupPostView(item, group, secret))) : null,
      posts));

  const [pl, ps] = await Promise.allSettled([getGroupPolls(group), getGroupPosts(group)]);
  if (pl.status === 'rejected') polls.replaceWith(retryBlock(`Could not load the polls: ${describeError(pl.reason)}`, () => void personGroupPage(main, group)));
  else if (pl.value.polls.length === 0) polls.append(h('li', { class: 'hint' }, 'No polls yet.'));
  else {
    const items = pl.value.polls;
    const badges = items.map(() => h('span', { class: 'badge-slot', role: 'status' }, groupBadge('checking', group)));
    polls.append(...items.map((p, i) => h('li', { class: 'poll-item', 'data-poll': p.poll.id },
      h('a', { href: `/polls/${p.poll.id}` }, p.poll.question), ' ',
      h('span', { class: 'hint' }, `${p.voters} ${p.voters === 1 ? 'vote' : 'votes'} · `, relativeTimeEl(p.poll.createdAt)), ' ', badges[i])));
    void verifyItems(group, items.map(pollItem)).then(
      (vs) => vs.forEach((v, i) => replace(badges[i]!, groupBadge(v, group))),
      (e: unknown) => badges.forEach((b) => replace(b, groupBadge({ ok: false, code: String(codeOf(e) ?? 'ERR_VERIFIER'), reason: (e as Error).message }, group))),
    );
  }
  if (ps.status === 'rejected') posts.append(retryBlock(`Could not load the posts: ${describeError(ps.reason)}`, () => void personGroupPage(main, group)));
  else if (ps.value.posts.length === 0) posts.append(h('p', { class: 'hint' }, 'No posts yet.'));
  else posts.append(...ps.value.posts.map((item) => groupPostView(item, group, member ? secret : null)));
}

