/**
 * The enrollment part of `/identity`: verify the identity service's evidence in this browser, get a
 * development credential from the dev registry (development profile only), enroll, see the
 * fields — which exist only in this page, decrypted here from the service's HPKE answer — and save
 * the signed claims file. The board only relays ciphertext (`/api/identity-service/*`).
 * The enrollment key is a fresh Ed25519 key and the claims are kept in this browser's localStorage
 * (person-store.ts: scripts on this origin can read them; "Save" exports them for the CLI). The
 * saved claims are what "Join this group" hands the registrar.
 */
import { enroll, type IdentityConnection } from '@veil/identity/enroll';
import type { ConfigResponse } from '@veil/server/schemas';
import { h, replace } from '../dom.ts';
import { getConfig } from '../api.ts';
import { connectViaBoard } from '../identity-service.ts';
import { download, eligibleGroups, enrollmentKey, saveClaims } from '../person-store.ts';
import { groupPath } from '../router.ts';

export async function enrollSection(): Promise<HTMLElement> {
  const section = h('section', { id: 'enroll', 'aria-labelledby': 'enroll-h' });
  const config: ConfigResponse = await getConfig();
  const enclave = config.enclave;
  if (!enclave) {
    replace(section, h('h2', { id: 'enroll-h' }, 'Enrollment'), h('p', {}, 'This server runs no identity service.'));
    return section;
  }
  const status = h('p', { id: 'enroll-status', role: 'status' }, 'Verifying the identity service’s evidence in this browser…');
  replace(section,
    h('h2', { id: 'enroll-h' }, 'Enrollment'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Enclave measurement'), h('dd', {}, h('code', { id: 'enclave-measurement' }, enclave.measurement)),
      h('dt', {}, 'Attestation'),
      h('dd', { id: 'enclave-kind', 'data-simulated': String(enclave.simulated) },
        enclave.simulated ? h('strong', { class: 'danger' }, 'SIMULATED — no TEE; the evidence proves nothing. Development only.') : enclave.type)),
    status);

  let conn: IdentityConnection;
  try {
    // The measurement is the one this server advertises: compare it with the published build.
    conn = await connectViaBoard(config);
  } catch (e) {
    status.textContent = `The identity service's evidence did not verify: ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`;
    status.setAttribute('data-verified', 'false');
    return section;
  }
  status.textContent = `Evidence verified in this browser (${conn.simulated ? 'SIMULATED' : 'hardware'} attestation, measurement ${conn.measurement.slice(0, 16)}…). Requests go encrypted to the attested key.`;
  status.setAttribute('data-verified', 'true');

  const provider = h('select', { id: 'enroll-provider' }, ...conn.providers.map((p) => h('option', { value: p }, p)));
  const credential = h('input', { id: 'enroll-credential', type: 'password', autocomplete: 'off', spellcheck: 'false', size: 48 });
  const result = h('div', { id: 'enroll-result' });
  const error = h('p', { id: 'enroll-error', class: 'error', role: 'alert' });
  const devPart: HTMLElement[] = [];
  if (config.profile === 'development' && config.devRegistry) {
    const people = (await (await fetch('/api/dev-registry/people')).json()) as Array<{ id: string; name: string }>;
    const person = h('select', { id: 'dev-person' }, ...people.map((p) => h('option', { value: p.id }, `${p.name} (${p.id})`)));
    devPart.push(h('p', { class: 'danger' }, h('strong', {}, 'DEVELOPMENT: '), 'log in at the dev registry as a test person (anyone can be anyone).'),
      h('div', { class: 'row' }, h('label', { for: 'dev-person' }, 'Test person '), person,
        h('button', {
          type: 'button', id: 'dev-login',
          onclick: async () => {
            const res = await fetch(`/api/dev-registry/people/${encodeURIComponent(person.value)}/credential`, { method: 'POST' });
            const body = (await res.json()) as { credential?: string };
            if (body.credential) credential.value = body.credential;
          },
        }, 'Log in at the dev registry')));
  }
  const button = h('button', {
    type: 'button', id: 'enroll-submit',
    onclick: async () => {
      error.textContent = '';
      button.setAttribute('disabled', '');
      try {
        const key = enrollmentKey();
        const r = await enroll(conn, { provider: provider.value, credential: credential.value, key });
        credential.value = '';
        saveClaims(r.claims);
        const claims = JSON.stringify(r.claims, null, 2);
        replace(result,
          h('h3', {}, 'Your record (shown only here, never stored)'),
          h('dl', { class: 'facts', id: 'enroll-fields' },
            h('dt', {}, 'Name'), h('dd', { id: 'field-name' }, r.fields.name),
            h('dt', {}, 'Date of birth'), h('dd', { id: 'field-birthdate' }, r.fields.birthdate),
            h('dt', {}, 'Nationality'), h('dd', { id: 'field-nationality' }, r.fields.nationality)),
          h('h3', {}, 'Signed claims'),
          h('pre', { id: 'enroll-claims' }, JSON.stringify(r.claims.claims)),
          h('div', { class: 'row' },
            h('button', { type: 'button', id: 'save-claims', onclick: () => download('veil-claims.json', claims) }, 'Save claims'),
            h('button', { type: 'button', class: 'secondary', onclick: () => download('veil-enrollment-key.json', JSON.stringify({ secretKey: key.secretKey, publicKey: r.claims.subject.publicKey })) }, 'Save the key')),
          h('p', { id: 'enroll-groups' }, 'The claims are kept in this browser too. Groups they admit you to: ',
            eligibleGroups(r.claims.claims).map((g, i) => [i ? ', ' : '', h('a', { href: groupPath(g) }, g)]), '.'));
      } catch (e) {
        error.textContent = `Enrollment refused: ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`;
      } finally {
        button.removeAttribute('disabled');
      }
    },
  }, 'Enroll');
  section.append(...devPart,
    h('div', { class: 'row' }, h('label', { for: 'enroll-provider' }, 'Provider '), provider),
    h('div', { class: 'row' }, h('label', { for: 'enroll-credential' }, 'Credential '), credential),
    h('p', {}, 'Your credential is masked in this browser before it leaves; the service never sees it in plaintext.'),
    button, error, result);
  return section;
}
