/**
 * The permalink page `/p/:id`: the post, and the checklist of what this browser verified — each
 * check marked passed, failed or not reached (checks run in order and stop at the first failure,
 * which is listed first) — and everything it was checked against.
 */
import type { MessageDetail } from '@veil/server/schemas';
import { ApiError, getMessage } from '../api.ts';
import { h, replace, type Child } from '../dom.ts';
import type { Identity } from '../keystore.ts';
import { postView, timeEl } from '../post-view.ts';
import type { Verdict } from '../verify-post.ts';
import { describeError, retryBlock } from '../failure.ts';
import { signinHref } from '../return-to.ts';

type CheckId = 'signature' | 'membership' | 'issuer' | 'key' | 'time' | 'proof';
/** In the order verify-post.ts runs them. */
const ORDER: CheckId[] = ['signature', 'membership', 'issuer', 'key', 'time', 'proof'];

/** Which check a failure code belongs to (anything from the prover is the proof check). */
export function failedCheck(code: string): CheckId {
  if (code === 'ERR_SIGNATURE_INVALID' || code === 'ERR_POST_MALFORMED' || code.startsWith('ERR_SIGNATURE')) return 'signature';
  if (code === 'ERR_MEMBERSHIP_EPK' || code === 'ERR_MEMBERSHIP_GROUP') return 'membership';
  if (code === 'ERR_ISSUER_UNKNOWN') return 'issuer';
  if (code.startsWith('ERR_ISSUER_KEY')) return 'key';
  if (code === 'ERR_MEMBERSHIP_EXPIRED') return 'time';
  return 'proof';
}

function checklist(detail: MessageDetail): { el: HTMLElement; mark(v: Verdict | 'checking'): void } {
  const { bundle } = detail.membership;
  const group = detail.message.group;
  const text: Record<CheckId, Child[]> = {
    signature: ['The Ed25519 signature by the author’s ephemeral key covers this exact post (id, group, visibility, text, time).'],
    membership: [`The membership proof is for this post’s key and for ${group}.`],
    issuer: [`The token’s issuer ${bundle.claims.iss} and audience ${bundle.claims.aud} are ones this server accepts.`],
    key: [`The issuer key ${bundle.claims.kid} comes from the server’s key registry (first seen `, timeEl(detail.issuerKey.firstSeen), ') and matches the key attached to the post.'],
    time: ['The post was written while the membership was valid (it expires ', timeEl(detail.membership.expiry * 1000), ').'],
    proof: [`The zero-knowledge proof holds: this key belongs to someone with a verified ${group} email, in an ID token signed by that key.`],
  };
  const items = new Map(ORDER.map((id) => [id, h('li', { class: 'check', 'data-check': id, 'data-state': 'checking' },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, '…'),
    h('div', {}, h('span', { class: 'visually-hidden state-word' }, 'Checking: '), text[id], h('span', { class: 'why' })))]));
  const el = h('ol', { class: 'checklist', id: 'checklist' }, [...items.values()]);
  const mark = (v: Verdict | 'checking') => {
    if (v === 'checking') return;
    const failed = v.ok ? null : failedCheck(v.code);
    const failedAt = failed ? ORDER.indexOf(failed) : ORDER.length;
    ORDER.forEach((id, i) => {
      const li = items.get(id)!;
      const state = i < failedAt ? 'passed' : i === failedAt ? 'failed' : 'skipped';
      li.dataset.state = state;
      li.querySelector('.mark')!.textContent = state === 'passed' ? '✓' : state === 'failed' ? '✗' : '–';
      li.querySelector('.state-word')!.textContent = state === 'passed' ? 'Passed: ' : state === 'failed' ? 'Failed: ' : 'Not checked (an earlier check failed): ';
      if (state === 'failed' && !v.ok) li.querySelector('.why')!.textContent = ` — ${v.reason} (${v.code})`;
    });
    // The failing check first, then the ones that passed, then the ones not reached.
    const rank = { failed: 0, passed: 1, skipped: 2, checking: 3 } as const;
    const sorted = [...items.values()].sort((a, b) => rank[a.dataset.state as keyof typeof rank] - rank[b.dataset.state as keyof typeof rank]);
    el.replaceChildren(...sorted);
  };
  return { el, mark };
}

export async function postPage(main: HTMLElement, identity: Identity | null, id: string): Promise<void> {
  document.title = 'Post · Veil';
  let detail;
  try {
    detail = await getMessage(id, identity);
  } catch (e) {
    const notFound = e instanceof ApiError && (e.status === 404 || e.status === 403 || e.status === 401);
    if (!notFound) {
      replace(main, h('h1', { tabindex: -1 }, 'Could not load the post'), retryBlock(describeError(e), () => void postPage(main, identity, id).then(() => main.querySelector<HTMLElement>('h1')?.focus())));
      return;
    }
    replace(main, h('h1', { tabindex: -1 }, 'Post not found'),
      h('p', {}, 'It does not exist, or it is on a members-only board you cannot read.'),
      identity ? null : h('p', {}, 'If it is on your organisation’s board, ', h('a', { href: signinHref() }, 'sign in'), ' to read it.'));
    return;
  }
  const { bundle } = detail.membership;
  const checks = checklist(detail);
  replace(main,
    h('h1', { tabindex: -1 }, `Post from someone at ${detail.message.group}`),
    postView(detail, identity, { detail, onVerdict: checks.mark }),
    h('section', { 'aria-labelledby': 'how' },
      h('h2', { id: 'how' }, 'What this browser checked'),
      checks.el,
      h('dl', { class: 'facts' },
        h('dt', {}, 'Author key'), h('dd', {}, h('code', {}, detail.message.epk)),
        h('dt', {}, 'Circuit'), h('dd', {}, h('code', {}, bundle.circuit.id)),
        h('dt', {}, 'CRS'), h('dd', {}, `${bundle.crs.kind} (${bundle.crs.id})`)),
      detail.message.internal
        ? null
        : h('p', {}, h('a', { href: `/api/messages/${id}`, download: `veil-post-${id}.json` }, 'Download the evidence (JSON)'), ' — or re-check it with ', h('code', {}, `veil verify-message --server ${location.origin} ${id}`), '.')),
  );
}
