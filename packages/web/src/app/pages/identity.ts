/** `/identity`: the ephemeral key in use, how it is stored, its group and expiry; rotate or forget it; enrollment. */
import { h, replace } from '../dom.ts';
import { deleteIdentity, isExpired, loadIdentity } from '../keystore.ts';
import { navigate } from '../router.ts';
import { timeEl } from '../post-view.ts';
import { enrollSection } from './enroll.ts';

export async function identityPage(main: HTMLElement): Promise<void> {
  document.title = 'Your identity · Veil';
  const id = await loadIdentity('current');
  if (!id) {
    replace(main, h('h1', { tabindex: -1 }, 'Your identity'), h('p', {}, 'You have no identity on this device. ', h('a', { href: '/signin' }, 'Sign in'), ' to make one.'));
    main.append(await enrollSection());
    return;
  }
  const expired = isExpired(id);
  const daysLeft = Math.max(0, Math.floor((id.expiry * 1000 - Date.now()) / 86_400_000));
  replace(main,
    h('h1', { tabindex: -1 }, 'Your identity'),
    h('dl', { class: 'facts' },
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
      h('button', { type: 'button', onclick: () => navigate('/signin') }, 'New identity'),
      h('button', {
        type: 'button',
        class: 'secondary',
        onclick: async () => {
          if (!confirm('Forget this identity? You will no longer be able to post as it.')) return;
          await deleteIdentity('current');
          navigate('/', true);
        },
      }, 'Forget this identity')));
  main.append(await enrollSection());
}
