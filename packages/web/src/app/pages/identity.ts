/** `/identity`: the ephemeral key in use, how it is stored, its group and expiry; rotate or forget it; enrollment. */
import { h, replace } from '../dom.ts';
import { deleteIdentity, isExpired, loadIdentity } from '../keystore.ts';
import { navigate } from '../router.ts';
import { authorEl, timeEl } from '../post-view.ts';
import { proveEstimate } from '../prove-estimate.ts';
import { enrollSection } from './enroll.ts';
import { download, eligibleGroups, loadClaims, loadSecret } from '../person-store.ts';
import { groupLink } from '../group-view.ts';

/** What this browser keeps for the person groups: the saved claims and the identity secret. */
function personSection(): HTMLElement | null {
  const claims = loadClaims();
  const secret = loadSecret();
  if (!claims && !secret) return null;
  return h('section', { id: 'person', 'aria-labelledby': 'person-h' },
    h('h2', { id: 'person-h' }, 'One person, one voice'),
    claims
      ? h('p', { id: 'person-claims' }, `Enrolled: signed claims (nationality ${claims.claims.nationality}${claims.claims.age_over_18 ? ', over 18' : ''}) are saved in this browser. They admit you to `,
        eligibleGroups(claims.claims).map((g, i) => [i ? ', ' : '', groupLink(g)]), '.')
      : null,
    secret
      ? [h('p', { id: 'person-secret' }, 'Your identity secret for the person groups is kept in this browser’s local storage for this site; it never leaves this browser (only its commitment was sent, encrypted, to the identity service). Whoever holds it can act as you in your groups.'),
        h('button', { type: 'button', class: 'secondary', onclick: () => download('veil-identity-secret.json', `${JSON.stringify({ secret })}\n`) }, 'Save the identity secret (for the CLI’s --secret)')]
      : null);
}

export async function identityPage(main: HTMLElement): Promise<void> {
  document.title = 'Your identity · Veil';
  const id = await loadIdentity('current');
  if (!id) {
    replace(main, h('h1', { tabindex: -1 }, 'Your identity'), h('p', {}, 'You have no identity on this device. ', h('a', { href: '/signin' }, 'Sign in'), ' to make one.'));
    main.append(...[personSection(), await enrollSection()].filter((x) => x !== null));
    return;
  }
  const expired = isExpired(id);
  const seconds = Math.round(proveEstimate().ms / 1000);
  // Says what will happen before anything does; Cancel leaves everything as it was.
  const confirmBox = h('div', { class: 'confirm', id: 'rotate-confirm', role: 'group', 'aria-labelledby': 'rotate-title', hidden: true },
    h('p', { id: 'rotate-title' }, h('strong', {}, 'Start a new identity? '),
      `You will sign in again and this device will make a new proof (about ${seconds} s). New posts get a new pseudonym, unlinked from your earlier ones; those stay up and stay verified, but you can no longer like or post as them.`),
    h('div', { class: 'row' },
      h('button', { type: 'button', id: 'rotate-confirm-yes', onclick: () => navigate('/signin?return=%2Fidentity') }, 'Continue to sign in'),
      h('button', { type: 'button', class: 'secondary', id: 'rotate-cancel', onclick: () => { confirmBox.hidden = true; main.querySelector<HTMLElement>('[aria-controls=rotate-confirm]')?.focus(); } }, 'Cancel')));
  const daysLeft = Math.max(0, Math.floor((id.expiry * 1000 - Date.now()) / 86_400_000));
  replace(main,
    h('h1', { tabindex: -1 }, 'Your identity'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Shown as'), h('dd', {}, authorEl(id.epk)),
      h('dt', {}, 'Group'), h('dd', {}, id.group ?? '—'),
      h('dt', {}, 'Proven with'), h('dd', {}, id.iss ?? '—'),
      h('dt', {}, 'Expires'), h('dd', { id: 'identity-expiry' }, timeEl(id.expiry * 1000), expired ? ' (expired)' : ` (in ${daysLeft} days)`),
      h('dt', {}, 'Public key'), h('dd', {}, h('code', { id: 'identity-epk' }, id.epk)),
      h('dt', {}, 'Key storage'),
      h('dd', { id: 'identity-storage', 'data-kind': id.kind },
        id.kind === 'webcrypto'
          ? 'Non-extractable WebCrypto Ed25519 key in IndexedDB: scripts can ask the browser to sign, but cannot read the key.'
          : 'Fallback: this browser lacks WebCrypto Ed25519, so the secret key is kept in IndexedDB where scripts on this site could read it.')),
    h('p', {}, 'Posts are linked to each other only through this key. Make a new identity to start unlinked; it needs a fresh sign-in and proof.'),
    h('div', { class: 'row' },
      h('button', { type: 'button', 'aria-controls': 'rotate-confirm', onclick: () => { confirmBox.hidden = false; confirmBox.querySelector<HTMLElement>('button')?.focus(); } }, 'New identity'),
      h('button', {
        type: 'button',
        class: 'secondary',
        onclick: async () => {
          if (!confirm('Forget this identity? You will no longer be able to post as it.')) return;
          await deleteIdentity('current');
          navigate('/', true);
        },
      }, 'Forget this identity')),
    confirmBox);
  main.append(...[personSection(), await enrollSection()].filter((x) => x !== null));
}
