/**
 * Joining a `member:<domain>` group in the browser: one leaf per person of an organisation.
 *
 * 1. The identity secret is made or kept in this browser (person-store.ts), as for `human`; the
 *    page computes its commitment and `nonce = memberJoinNonce(group, commitment)`.
 * 2. Sign-in at the board's OIDC issuer by the same full-page implicit flow as the sign-in page
 *    (signin.ts; redirect back to `/callback`), with that nonce: the ID token is then good for this
 *    group and this commitment only.
 * 3. On return the token (read from the fragment, wiped from the URL at once) goes only to the
 *    identity service, HPKE-encrypted to its attested key (`group.join-member`): the service
 *    verifies it, derives the person key inside the enclave and has its registrar insert the leaf.
 *    The board relays ciphertext; it never sees the token or which account joined.
 * 4. The leaf is looked up in the tree this browser rebuilds from the signed log (registrar key
 *    attested), not taken from the service's answer.
 * The pending join (group, commitment, state) sits in sessionStorage during the redirect; the
 * callback takes over only when the answer's `state` is this join's.
 */
import { joinMemberGroup, memberJoinNonce } from '@veil/identity/enroll';
import type { IssuerInfo } from '@veil/server/schemas';
import { ApiError } from '../api.ts';
import { h, replace } from '../dom.ts';
import { describeError } from '../failure.ts';
import { refusalText } from '../error-text.ts';
import { commitmentOf, verifiedTree } from '../group-client.ts';
import { connectViaBoard } from '../identity-service.ts';
import { identitySecret } from '../person-store.ts';
import { groupPath } from '../router.ts';
import { appConfig } from '../state.ts';
import { toHex } from '../hex.ts';
import { goToIssuer } from './signin.ts';
import { personGroupPage } from './person-groups.ts';

const PENDING = 'veil.member-join';

interface PendingJoin {
  state: string;
  issuerId: string;
  group: string;
  commitment: string;
  replace: boolean;
}

const refusal = (e: unknown) => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? refusalText(code, (e as Error).message ?? '', 'join') : describeError(e);
};

/** Starts the sign-in whose ID token admits this browser's commitment to `group` (leaves the page). */
export async function startMemberJoin(group: string, issuer: IssuerInfo, replaceOld: boolean): Promise<void> {
  if (!issuer.authorizationEndpoint) throw new Error(`${issuer.label} has no authorization endpoint`);
  const commitment = await commitmentOf(identitySecret());
  const state = toHex(crypto.getRandomValues(new Uint8Array(16)));
  const pending: PendingJoin = { state, issuerId: issuer.id, group, commitment, replace: replaceOld };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  goToIssuer(issuer, memberJoinNonce(group, commitment), state);
}

/** The join section's content for a member group the browser is not in yet. */
export async function memberJoinControls(group: string): Promise<HTMLElement[]> {
  const config = await appConfig();
  const domain = group.slice('member:'.length);
  if (!config.enclave) return [h('p', { id: 'join-state', 'data-state': 'none' }, 'This board runs no identity service, so nobody can join here.')];
  const usable = config.issuers.filter((i) => i.authorizationEndpoint && i.keys?.state !== 'unavailable');
  if (usable.length === 0) return [h('p', { id: 'join-state', 'data-state': 'no-issuer' }, 'This board has no working sign-in provider, so nobody can join here.')];
  const error = h('p', { class: 'error', role: 'alert', id: 'join-error' });
  const buttons: HTMLButtonElement[] = usable.map((issuer) => h('button', {
    type: 'button', class: 'join-member', 'data-issuer': issuer.id,
    onclick: async () => {
      for (const x of buttons) x.disabled = true;
      error.textContent = '';
      try {
        await startMemberJoin(group, issuer, false);
      } catch (e) {
        error.textContent = `Could not start the sign-in: ${refusal(e)}`;
        for (const x of buttons) x.disabled = false;
      }
    },
  }, `Join with ${issuer.label}`));
  return [
    h('p', { id: 'join-state', 'data-state': 'can-join-member' },
      `Sign in with an account at ${domain}: the ID token goes only to the identity service, encrypted to its attested key, which admits one leaf per account. The board never sees the token or which account joined.`),
    h('div', { class: 'row' }, buttons),
    error,
  ];
}

/**
 * `/callback` for a member-group join: returns false (and touches nothing) when the answer is not
 * this tab's pending join, so the sign-in callback handles it.
 */
export async function memberJoinCallback(main: HTMLElement, fragment: URLSearchParams | null): Promise<boolean> {
  const raw = sessionStorage.getItem(PENDING);
  let pending: PendingJoin | null = null;
  try {
    pending = raw ? (JSON.parse(raw) as PendingJoin) : null;
  } catch {
    pending = null;
  }
  if (!pending || !fragment || fragment.get('state') !== pending.state) return false;
  sessionStorage.removeItem(PENDING);
  const { group, commitment } = pending;
  document.title = `Joining ${group} · Veil`;
  const stage = h('p', { role: 'status', id: 'member-join-stage' }, 'Checking the sign-in…');
  const error = h('p', { class: 'error', role: 'alert', id: 'member-join-error' });
  const back = h('p', {}, h('a', { href: groupPath(group) }, `Back to ${group}`));
  replace(main, h('h1', { tabindex: -1 }, `Joining ${group}`), stage, error);
  const fail = (msg: string) => {
    stage.textContent = 'Not joined.';
    error.textContent = msg;
    main.append(back);
    return true;
  };
  if (fragment.get('error')) return fail(`The provider refused: ${fragment.get('error_description') ?? fragment.get('error')}`);
  let token = fragment.get('id_token');
  if (!token) return fail('The provider returned no ID token.');
  const config = await appConfig();
  const issuer = config.issuers.find((i) => i.id === pending!.issuerId);
  if (!issuer) return fail('The sign-in provider of this join is no longer offered here; join again from the group page.');
  // No checks of the token here: the identity service makes them all (its own rule for member
  // groups, not a membership variant's) and each refusal code reads as a sentence.
  try {
    stage.textContent = 'Verifying the identity service’s evidence in this browser…';
    const conn = await connectViaBoard(config);
    stage.textContent = 'Handing the ID token to the identity service through the attested channel…';
    const joined = await joinMemberGroup(conn, { group, commitment, token, replace: pending.replace });
    token = null;
    stage.textContent = 'Finding your leaf in the group tree rebuilt from the signed log…';
    const t = await verifiedTree(group, commitment);
    if (t.index !== joined.leafIndex) throw new ApiError(0, 'ERR_GROUP_LOG_INVALID', `the identity service says leaf #${joined.leafIndex}, but the board's signed log has your commitment at ${t.index < 0 ? 'no leaf' : `#${t.index}`}`);
    history.replaceState(null, '', groupPath(group));
    await personGroupPage(main, group, `Joined ${group}: your commitment ${commitment.slice(0, 16)}… is leaf #${t.index} of ${t.leaves} (checked in this browser against the signed log).`);
    return true;
  } catch (e) {
    token = null;
    fail(`Could not join: ${refusal(e)}`);
    if ((e as { code?: unknown }).code === 'ERR_ALREADY_REGISTERED') {
      const again = h('button', {
        type: 'button', class: 'secondary', id: 'join-replace',
        onclick: () => { again.disabled = true; void startMemberJoin(group, issuer, true).catch((x: unknown) => { error.textContent = refusal(x); again.disabled = false; }); },
      }, `Sign in again to replace it with this browser’s secret`);
      back.before(h('div', { class: 'row' }, again));
    }
    return true;
  }
}
