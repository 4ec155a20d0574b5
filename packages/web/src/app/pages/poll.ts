/**
 * `/polls/:id`: a poll of a person group — vote with a group proof made in this browser (scope
 * `poll:<id>`, so a second vote by the same person carries the same nullifier and the board refuses
 * it: 409 ERR_NULLIFIER_USED, shown in words), and the results re-counted here: every stored vote
 * proof is verified in this browser against the group's signed log, one vote per nullifier, and
 * the count is compared with the board's tally.
 */
import type { PollResponse } from '@veil/server/schemas';
import { h, replace } from '../dom.ts';
import { describeError, retryBlock } from '../failure.ts';
import { refusalText } from '../error-text.ts';
import { castVote, commitmentOf, getPoll, pollItem, verifiedTree, verifyItems, voteItem } from '../group-client.ts';
import { groupBadge, groupLink } from '../group-view.ts';
import { loadSecret } from '../person-store.ts';
import { timeEl } from '../post-view.ts';
import { groupPath } from '../router.ts';
import type { ItemVerdict, TreeSummary } from '../workers/group-protocol.ts';

const codeOf = (e: unknown) => (e as { code?: unknown }).code;

/** The results as this browser counts them from the verified proofs. */
async function results(r: PollResponse, size: number | null): Promise<HTMLElement> {
  const verdicts: ItemVerdict[] = await verifyItems(r.poll.group, r.votes.map(voteItem));
  const tally = r.poll.options.map(() => 0);
  const nullifiers = new Set<string>();
  let bad = 0;
  r.votes.forEach((v, i) => {
    const verdict = verdicts[i]!;
    if (!verdict.ok || v.vote.pollId !== r.poll.id || v.vote.option >= r.poll.options.length || nullifiers.has(verdict.nullifier)) {
      bad++;
      return;
    }
    nullifiers.add(verdict.nullifier);
    tally[v.vote.option]!++;
  });
  const counted = nullifiers.size;
  const agrees = bad === 0 && tally.every((n, i) => n === r.tally[i]) && counted === r.voters;
  const max = Math.max(1, ...tally);
  return h('section', { id: 'results', 'aria-labelledby': 'results-h', 'data-verified-votes': counted, 'data-agrees': String(agrees) },
    h('h2', { id: 'results-h' }, 'Results'),
    h('ul', { class: 'results' }, r.poll.options.map((text, i) => h('li', { 'data-option': i, 'data-votes': tally[i]! },
      h('span', { class: 'result-text' }, text),
      h('progress', { class: 'result-bar', 'aria-hidden': 'true', value: tally[i]!, max }),
      h('span', { class: 'result-count' }, `${tally[i]} ${tally[i] === 1 ? 'vote' : 'votes'}`)))),
    h('p', { id: 'tally-check', class: agrees ? 'hint' : 'warn' },
      agrees
        ? `✓ ${counted} ${counted === 1 ? 'vote' : 'votes'} from ${counted} ${counted === 1 ? 'person' : 'people'}, every one re-verified in this browser from its stored proof (one per person: distinct nullifiers)${size === null ? '' : `, among ${size} members of ${r.poll.group}`}.`
        : `✗ The board's tally (${r.tally.join(' / ')}, ${r.voters} voters) differs from what its stored proofs give here (${tally.join(' / ')}, ${counted} voters${bad ? `; ${bad} proof${bad === 1 ? '' : 's'} refused` : ''}).`));
}

export async function pollPage(main: HTMLElement, id: string): Promise<void> {
  document.title = 'Poll · Veil';
  let r: PollResponse;
  let tree: TreeSummary;
  const secret = loadSecret();
  try {
    r = await getPoll(id);
    if (r.poll.id !== id) throw new Error('the server returned another poll');
    tree = await verifiedTree(r.poll.group, secret ? await commitmentOf(secret) : undefined);
  } catch (e) {
    const notFound = codeOf(e) === 'ERR_NOT_FOUND';
    replace(main, h('h1', { tabindex: -1 }, notFound ? 'Poll not found' : 'Could not load the poll'),
      notFound ? h('p', {}, 'There is no such poll on this board.') : retryBlock(describeError(e), () => void pollPage(main, id)));
    return;
  }
  const { poll } = r;
  document.title = `${poll.question} · Veil`;
  const size = tree.root === null ? null : tree.members;
  const member = secret !== null && tree.index >= 0;
  const closed = poll.closesAt !== null && Date.now() >= poll.closesAt;
  const creator = h('span', { class: 'badge-slot', role: 'status' }, groupBadge('checking', poll.group));
  const resultsSlot = h('div', { id: 'results-slot' }, h('p', { class: 'hint' }, 'Re-verifying every vote in this browser…'));
  const showResults = async (fresh?: PollResponse) => {
    try {
      resultsSlot.replaceChildren(await results(fresh ?? (await getPoll(id)), size));
    } catch (e) {
      resultsSlot.replaceChildren(retryBlock(`Could not check the results: ${describeError(e)}`, () => void showResults()));
    }
  };

  let voteForm: HTMLElement;
  if (closed) voteForm = h('p', { id: 'vote-state' }, 'This poll is closed.');
  else if (!member) {
    voteForm = h('p', { id: 'vote-state' }, `Only members of ${poll.group} can vote, once each. `, h('a', { href: groupPath(poll.group) }, `Join ${poll.group}`), ' first.');
  } else {
    const status = h('p', { role: 'status', id: 'vote-status' });
    const error = h('p', { class: 'error', role: 'alert', id: 'vote-error' });
    const submit = h('button', { type: 'submit', id: 'vote-submit' }, 'Vote');
    voteForm = h('form', {
      id: 'vote-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const choice = (voteForm as HTMLFormElement).querySelector<HTMLInputElement>('input[name=option]:checked');
        error.textContent = '';
        if (!choice) { error.textContent = 'Pick an option first.'; return; }
        submit.disabled = true;
        status.textContent = 'Making your vote’s proof in this browser…';
        try {
          const v = await castVote(secret!, poll, Number(choice.value));
          status.textContent = `${v.status === 'changed' ? 'Your vote was changed' : 'Your vote was counted'} (proof made in this browser in ${(v.ms / 1000).toFixed(1)} s). The board saw a proof by “a member of ${poll.group}”, not who you are.`;
          await showResults();
        } catch (err) {
          status.textContent = '';
          const code = codeOf(err);
          error.textContent = typeof code === 'string' ? refusalText(code, (err as Error).message, 'vote') : describeError(err);
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('fieldset', {}, h('legend', {}, 'Your vote'),
      poll.options.map((text, i) => h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'option', value: i }), ` ${text}`))),
    h('p', { class: 'hint' }, poll.allowChange ? 'One vote per person; you may change it later (the latest counts).' : 'One vote per person; it cannot be changed.'),
    submit, status, error);
  }

  replace(main,
    h('h1', { tabindex: -1 }, poll.question),
    h('p', { class: 'poll-meta' }, 'A poll of ', groupLink(poll.group), size === null ? '' : ` · ${size} ${size === 1 ? 'member' : 'members'} (the anonymity set)`,
      ' · asked ', timeEl(poll.createdAt), poll.closesAt === null ? ' · open' : [closed ? ' · closed ' : ' · closes ', timeEl(poll.closesAt)]),
    h('p', {}, 'Asked by: ', creator),
    voteForm,
    resultsSlot);
  void verifyItems(poll.group, [pollItem(r)]).then(
    ([v]) => replace(creator, groupBadge(v!, poll.group)),
    (e: unknown) => replace(creator, groupBadge({ ok: false, code: String(codeOf(e) ?? 'ERR_VERIFIER'), reason: (e as Error).message }, poll.group)),
  );
  await showResults(r);
}
