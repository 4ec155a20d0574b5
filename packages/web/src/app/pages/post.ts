/** The permalink page `/p/:id`: the post, its verification and everything it was checked against. */
import { ApiError, getMessage } from '../api.ts';
import { h, replace } from '../dom.ts';
import type { Identity } from '../keystore.ts';
import { postView, timeEl } from '../post-view.ts';

export async function postPage(main: HTMLElement, identity: Identity | null, id: string): Promise<void> {
  document.title = 'Post · Veil';
  let detail;
  try {
    detail = await getMessage(id, identity);
  } catch (e) {
    const notFound = e instanceof ApiError && (e.status === 404 || e.status === 403 || e.status === 401);
    replace(main, h('h1', { tabindex: -1 }, notFound ? 'Post not found' : 'Could not load the post'),
      h('p', {}, notFound ? 'It does not exist, or it is on a members-only board you cannot read.' : String(e)));
    return;
  }
  const { bundle } = detail.membership;
  const expiry = new Date(detail.membership.expiry * 1000);
  replace(main,
    h('h1', { tabindex: -1 }, `Post from someone at ${detail.message.group}`),
    postView(detail, identity, { detail }),
    h('section', { 'aria-labelledby': 'how' },
      h('h2', { id: 'how' }, 'What this browser checked'),
      h('ol', {},
        h('li', {}, 'The Ed25519 signature by the author’s ephemeral key over the exact post (id, group, visibility, text, time).'),
        h('li', {}, `A zero-knowledge proof that this key belongs to someone with a verified ${detail.message.group} email, in an ID token signed by ${bundle.claims.iss} for audience ${bundle.claims.aud}.`),
        h('li', {}, `The issuer key ${bundle.claims.kid} from the server’s key registry (first seen `, timeEl(detail.issuerKey.firstSeen), ').'),
        h('li', {}, 'The membership was valid when the post was written (expires ', timeEl(expiry.getTime()), ').')),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Author key'), h('dd', {}, h('code', {}, detail.message.epk)),
        h('dt', {}, 'Circuit'), h('dd', {}, h('code', {}, bundle.circuit.id)),
        h('dt', {}, 'CRS'), h('dd', {}, `${bundle.crs.kind} (${bundle.crs.id})`)),
      detail.message.internal
        ? null
        : h('p', {}, h('a', { href: `/api/messages/${id}`, download: `veil-post-${id}.json` }, 'Download the evidence (JSON)'), ' — or re-check it with ', h('code', {}, `veil verify-message --server ${location.origin} ${id}`), '.')),
  );
}
