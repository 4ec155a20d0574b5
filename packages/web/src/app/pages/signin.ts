/**
 * Sign-in: OIDC implicit flow by full-page redirect (no popup, so the page stays cross-origin
 * isolated). A fresh ephemeral key, salt and expiry are generated first; the authorization request
 * carries `nonce = nonce(epk, salt, expiry)`, binding the ID token to that key. On return the ID
 * token is read from the URL fragment, the fragment is wiped from the URL and history at once, and
 * the token lives only in memory until the proof is made in a worker; only the proof bundle is sent.
 */
import type { IssuerInfo } from '@veil/server/schemas';
import { ApiError, getKeys, postMembership } from '../api.ts';
import { h, replace } from '../dom.ts';
import { deleteIdentity, generateIdentity, loadIdentity, promotePending, saveIdentity } from '../keystore.ts';
import { navigate } from '../router.ts';
import { appConfig } from '../state.ts';
import { fromHex, toHex } from '../hex.ts';
import type { ProveEvent, ProveRequest, ProveStage } from '../workers/prove-protocol.ts';

const PENDING = 'veil.signin';
const LAST_PROVE_MS = 'veil.proveMs';
/** Used for the first estimate, before this browser has proved once (2-core laptop, threads on). */
const DEFAULT_PROVE_MS = 30_000;

interface PendingSignIn {
  state: string;
  issuerId: string;
  startedAt: number;
}

export function callbackUrl(): string {
  return `${location.origin}/callback`;
}

async function startSignIn(issuer: IssuerInfo): Promise<void> {
  if (!issuer.authorizationEndpoint) throw new Error(`${issuer.label} has no authorization endpoint`);
  const id = await generateIdentity();
  // Loaded on demand: the nonce hash runs bb.js's WASM, which the reading pages never need.
  const { nonce } = await import('@veil/crypto/nonce');
  const boundNonce = await nonce(fromHex(id.epk), fromHex(id.salt), id.expiry);
  await saveIdentity('pending', id);
  const state = toHex(crypto.getRandomValues(new Uint8Array(16)));
  const pending: PendingSignIn = { state, issuerId: issuer.id, startedAt: Date.now() };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(issuer.authorizationEndpoint, location.href);
  url.search = new URLSearchParams({
    response_type: 'id_token',
    response_mode: 'fragment',
    client_id: issuer.aud,
    redirect_uri: callbackUrl(),
    scope: 'openid email profile',
    nonce: boundNonce,
    state,
  }).toString();
  location.assign(url.toString());
}

export async function signinPage(main: HTMLElement): Promise<void> {
  document.title = 'Sign in · Veil';
  const config = await appConfig();
  const usable = config.issuers.filter((i) => i.authorizationEndpoint);
  const preferred = usable.find((i) => i.kind === 'dev') ?? usable[0];
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Continue to sign in');
  const form = h('form', {
    class: 'signin',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const chosen = (form.querySelector('input[name=issuer]:checked') as HTMLInputElement | null)?.value;
      const issuer = usable.find((i) => i.id === chosen);
      if (!issuer) return;
      submit.disabled = true;
      try {
        await startSignIn(issuer);
      } catch (err) {
        error.textContent = String(err);
        submit.disabled = false;
      }
    },
  },
  h('fieldset', {},
    h('legend', {}, 'Sign in with'),
    usable.map((i) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'issuer', value: i.id, checked: i === preferred, required: true }),
      ` ${i.label}`, i.kind === 'dev' ? h('span', { class: 'tag dev' }, 'development') : null))),
  submit, error);
  replace(main,
    h('h1', { tabindex: -1 }, 'Sign in'),
    h('p', {}, 'Your browser makes a new key, asks the provider for an ID token bound to it, and proves in zero knowledge that the token names an email at your organisation. ',
      h('strong', {}, 'The token never leaves this browser:'), ' only the proof is sent. Nobody learns which member you are.'),
    usable.length ? form : h('p', { class: 'error' }, 'This server has no sign-in provider configured.'));
}

/** Reads and wipes the callback fragment. Called before anything else runs on `/callback`. */
export function takeFragment(): URLSearchParams {
  const params = new URLSearchParams(location.hash.slice(1));
  history.replaceState(null, '', location.pathname);
  return params;
}

function tokenKid(token: string): string | null {
  try {
    const header = JSON.parse(atob(token.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : null;
  } catch {
    return null;
  }
}

const STAGES: Record<ProveStage, string> = {
  loading: 'Loading the circuit and prover',
  inputs: 'Checking the token and preparing inputs',
  witness: 'Computing the witness',
  proving: 'Generating the zero-knowledge proof',
  done: 'Proof ready',
};

export async function callbackPage(main: HTMLElement, fragment: URLSearchParams | null): Promise<void> {
  document.title = 'Signing in · Veil';
  const heading = h('h1', { tabindex: -1 }, 'Proving membership');
  const stage = h('p', { id: 'prove-stage', role: 'status', 'aria-live': 'polite' }, 'Starting…');
  const bar = h('progress', { id: 'prove-progress', max: 100, value: 0, 'aria-labelledby': 'prove-stage' });
  const eta = h('p', { id: 'prove-eta', class: 'hint' });
  const error = h('p', { class: 'error', role: 'alert' });
  replace(main, heading, h('p', {}, 'Your ID token stays in this tab. The proof is made on this device.'), stage, bar, eta, error);

  const fail = async (msg: string) => {
    error.textContent = msg;
    stage.textContent = 'Sign-in failed.';
    await deleteIdentity('pending');
    main.append(h('p', {}, h('a', { href: '/signin' }, 'Try again')));
  };

  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  let token = fragment?.get('id_token') ?? null;
  if (!fragment || !raw) return fail('No sign-in in progress in this tab.');
  if (fragment.get('error')) return fail(`The provider refused: ${fragment.get('error_description') ?? fragment.get('error')}`);
  const pending = JSON.parse(raw) as PendingSignIn;
  if (fragment.get('state') !== pending.state) return fail('The response does not belong to this sign-in (state mismatch).');
  if (!token) return fail('The provider returned no ID token.');
  const config = await appConfig();
  const issuer = config.issuers.find((i) => i.id === pending.issuerId);
  const identity = await loadIdentity('pending');
  if (!issuer || !identity) return fail('The sign-in state was lost; start again.');

  const kid = tokenKid(token);
  const keys = (await getKeys()).keys;
  const key = keys.find((k) => k.iss === issuer.iss && k.kid === kid);
  if (!key) return fail(`The token's signing key (${kid ?? 'no kid'}) is not in the server's key registry for ${issuer.iss}.`);

  const estimate = Number(localStorage.getItem(LAST_PROVE_MS)) || DEFAULT_PROVE_MS;
  const started = performance.now();
  const tick = setInterval(() => {
    const elapsed = performance.now() - started;
    bar.value = Math.min(95, (elapsed / estimate) * 100);
    const left = Math.max(0, Math.round((estimate - elapsed) / 1000));
    eta.textContent = `${Math.round(elapsed / 1000)} s elapsed · about ${left} s left (estimate from ${localStorage.getItem(LAST_PROVE_MS) ? 'your last proof' : 'a typical laptop'})`;
  }, 250);

  const worker = new Worker(new URL('../workers/prove.worker.ts', import.meta.url), { type: 'module', name: 'veil-prove' });
  const req: ProveRequest = {
    token,
    jwk: key.jwk,
    epk: identity.epk,
    salt: identity.salt,
    expiry: identity.expiry,
    artifacts: config.artifacts,
    crs: config.crs.kind,
    threads: Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 16)),
  };
  token = null;
  try {
    const result = await new Promise<Extract<ProveEvent, { type: 'done' }>>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<ProveEvent>) => {
        const ev = e.data;
        if (ev.type === 'stage') stage.textContent = `${STAGES[ev.stage]}…`;
        else if (ev.type === 'done') resolve(ev);
        else reject(new ApiError(0, ev.code, ev.message));
      };
      worker.onerror = (e) => reject(new Error(e.message || 'the prover stopped'));
      worker.postMessage(req);
    });
    req.token = '';
    clearInterval(tick);
    bar.value = 100;
    localStorage.setItem(LAST_PROVE_MS, String(Math.round(result.ms)));
    stage.textContent = `Proof ready in ${(result.ms / 1000).toFixed(1)} s. Registering the membership…`;
    await postMembership(result.bundle);
    const id = await promotePending(result.bundle.claims.domain, issuer.iss);
    stage.textContent = `Signed in as someone at ${id.group}.`;
    navigate(`/g/${id.group}/public`, true);
  } catch (e) {
    clearInterval(tick);
    await fail(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
  } finally {
    worker.terminate();
  }
}
