/**
 * Sign-in: OIDC implicit flow by full-page redirect (no popup, so the page stays cross-origin
 * isolated). A fresh ephemeral key, salt and expiry are generated first; the authorization request
 * carries `nonce = nonce(epk, salt, expiry)`, binding the ID token to that key. On return the ID
 * token is read from the URL fragment, the fragment is wiped from the URL and history at once, and
 * the token lives only in memory until the proof is made in a worker; only the proof bundle is sent.
 * The issuer's variant (from the server's config) picks the statement and so the circuit: google
 * (Workspace hd), entra (tenant; shown as "coming" until the server has its circuit), oidc (email
 * domain). Failures that need no proof (unverified email, no hd, wrong issuer or audience, expired
 * token) are reported before the prover loads; the proof can be cancelled, and leaving the page during it
 * asks first. Afterwards the user is back on the page where they chose "Sign in".
 */
import type { IssuerInfo } from '@veil/server/schemas';
import { emailDomainToBind, issuerForIss } from '@veil/crypto/issuer-for-iss';
import { ApiError, getKeys, postMembership } from '../api.ts';
import { h, replace } from '../dom.ts';
import { deleteIdentity, generateIdentity, loadIdentity, promotePending, saveIdentity } from '../keystore.ts';
import { navigate } from '../router.ts';
import { appConfig } from '../state.ts';
import { fromHex, toHex } from '../hex.ts';
import type { ProveEvent, ProveRequest, ProveStage } from '../workers/prove-protocol.ts';
import { etaText, proveEstimate, recordProveMs } from '../prove-estimate.ts';
import { safeReturnPath } from '../return-to.ts';

const PENDING = 'veil.signin';

interface PendingSignIn {
  state: string;
  issuerId: string;
  startedAt: number;
  /** Where to go once signed in (a same-origin path), or null for the group's page. */
  returnTo?: string | null;
}

function callbackUrl(): string {
  return `${location.origin}/callback`;
}

/**
 * Leaves the page for `issuer`'s sign-in, asking for an ID token (implicit flow, in the fragment of
 * the callback) whose `nonce` is `nonce`; `state` comes back with it.
 */
export function goToIssuer(issuer: IssuerInfo, nonce: string, state: string): void {
  if (!issuer.authorizationEndpoint) throw new Error(`${issuer.label} has no authorization endpoint`);
  const url = new URL(issuer.authorizationEndpoint, location.href);
  url.search = new URLSearchParams({
    response_type: 'id_token',
    response_mode: 'fragment',
    client_id: issuer.aud,
    redirect_uri: callbackUrl(),
    scope: 'openid email profile',
    nonce,
    state,
  }).toString();
  location.assign(url.toString());
}

async function startSignIn(issuer: IssuerInfo, returnTo: string | null): Promise<void> {
  if (!issuer.authorizationEndpoint) throw new Error(`${issuer.label} has no authorization endpoint`);
  const id = await generateIdentity();
  // Loaded on demand: the nonce hash runs bb.js's WASM, which the reading pages never need.
  const { nonce } = await import('@veil/crypto/nonce');
  const boundNonce = await nonce(fromHex(id.epk), fromHex(id.salt), id.expiry);
  await saveIdentity('pending', id);
  const state = toHex(crypto.getRandomValues(new Uint8Array(16)));
  const pending: PendingSignIn = { state, issuerId: issuer.id, startedAt: Date.now(), returnTo };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  goToIssuer(issuer, boundNonce, state);
}

export async function signinPage(main: HTMLElement): Promise<void> {
  document.title = 'Sign in · Veil';
  const config = await appConfig();
  const returnTo = safeReturnPath(new URLSearchParams(location.search).get('return'));
  const usable = config.issuers.filter((i) => i.authorizationEndpoint);
  const working = usable.filter((i) => i.keys?.state !== 'unavailable' && i.provable);
  const preferred = working.find((i) => i.kind === 'dev') ?? working[0];
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
        await startSignIn(issuer, returnTo);
      } catch (err) {
        error.textContent = String(err);
        submit.disabled = false;
      }
    },
  },
  h('fieldset', {},
    h('legend', {}, 'Sign in with'),
    usable.map((i) => {
      const down = i.keys?.state === 'unavailable';
      return h('label', { class: 'choice' },
        h('input', { type: 'radio', name: 'issuer', value: i.id, checked: i === preferred, required: true, disabled: down || !i.provable }),
        ` ${i.label}`, i.kind === 'dev' ? h('span', { class: 'tag dev' }, 'development') : null,
        h('span', { class: 'hint', 'data-variant': i.variant }, ` — ${STATEMENTS[i.variant]}`),
        !i.provable ? h('span', { class: 'tag', 'data-issuer-coming': i.id }, 'coming') : null,
        down ? h('span', { class: 'error', 'data-issuer-unavailable': i.id }, ` — unavailable: the server could not load its signing keys (${i.keys?.error ?? 'unknown reason'})`) : null);
    })),
  submit, error);
  replace(main,
    h('h1', { tabindex: -1 }, 'Sign in'),
    h('p', {}, 'Your browser makes a new key, asks the provider for an ID token bound to it, and proves in zero knowledge that the token names your organisation. ',
      h('strong', {}, 'The token never leaves this browser:'), ' only the proof is sent. Nobody learns which member you are.'),
    returnTo ? h('p', { class: 'hint' }, 'Afterwards you come back to the page you were on.') : null,
    usable.length ? form : h('p', { class: 'error' }, 'This server has no sign-in provider configured.'));
}

/** Reads and wipes the callback fragment. Called before anything else runs on `/callback`. */
export function takeFragment(): URLSearchParams {
  const params = new URLSearchParams(location.hash.slice(1));
  history.replaceState(null, '', location.pathname);
  return params;
}

function tokenPart(token: string, i: 0 | 1): Record<string, unknown> | null {
  try {
    const b64 = token.split('.')[i]!.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function tokenKid(token: string): string | null {
  const kid = tokenPart(token, 0)?.kid;
  return typeof kid === 'string' ? kid : null;
}

/** What a membership proves, per statement (the issuer's variant picks the circuit). */
export const STATEMENTS: Record<IssuerInfo['variant'], string> = {
  google: 'proves your Google Workspace organisation (its primary domain, Google\'s hd claim)',
  entra: 'proves your Microsoft Entra organisation (the tenant)',
  oidc: 'proves the domain of your verified email address',
};

/**
 * What can be told from the token without a proof (its signature is checked by the proof itself):
 * a reason to stop now, in words, with the code the prover would give — or null to go on.
 */
export function tokenProblem(token: string, issuer: IssuerInfo, now = Date.now()): { code: string; message: string } | null {
  const c = tokenPart(token, 1);
  if (!c) return { code: 'ERR_TOKEN_MALFORMED', message: 'the provider returned a token that is not a JWT' };
  // entra has no email_verified (binding the email's domain needs the tenant's xms_edov instead,
  // which the prover's pre-checks read).
  if (issuer.variant !== 'entra' && c.email_verified !== true) {
    return { code: 'ERR_EMAIL_UNVERIFIED', message: `your provider says the email ${typeof c.email === 'string' ? c.email : ''} is not verified; verify it with ${issuer.label} and sign in again` };
  }
  // A multi-tenant Microsoft issuer's iss is the template; each token names its tenant's issuer.
  if (typeof c.iss !== 'string' || issuerForIss([issuer], c.iss) !== issuer) return { code: 'ERR_ISS_MISMATCH', message: `the token was issued by ${String(c.iss)}, not ${issuer.iss}` };
  if (c.aud !== issuer.aud) return { code: 'ERR_AUD_MISMATCH', message: `the token is for ${JSON.stringify(c.aud)}, not this site (${issuer.aud})` };
  // google: the organisation is hd, which consumer accounts (gmail.com, or made with a work address) lack.
  if (issuer.variant === 'google' && (typeof c.hd !== 'string' || c.hd === '')) {
    return { code: 'ERR_CLAIM_MISSING', message: 'this Google account belongs to no Google Workspace organisation (the token has no hd claim); sign in with your work account' };
  }
  if (issuer.variant === 'oidc' && (typeof c.email !== 'string' || !c.email.includes('@'))) return { code: 'ERR_EMAIL_MISSING', message: 'the token carries no email address' };
  try {
    emailDomainToBind(issuer, c.email);
  } catch (e) {
    return { code: 'ERR_EMAIL_DOMAIN_MISMATCH', message: (e as Error).message };
  }
  if (typeof c.exp === 'number' && c.exp * 1000 < now) return { code: 'ERR_TOKEN_EXPIRED', message: 'the sign-in took too long and the token expired; sign in again' };
  return null;
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
  const cancel = h('button', { type: 'button', class: 'secondary', id: 'prove-cancel', hidden: true }, 'Cancel');
  replace(main, heading, h('p', {}, 'Your ID token stays in this tab. The proof is made on this device.'), stage, bar, eta, cancel, error);

  let returnTo: string | null = null;
  const again = () => (returnTo ? `/signin?return=${encodeURIComponent(returnTo)}` : '/signin');
  const fail = async (msg: string, headline = 'Sign-in failed.') => {
    error.textContent = msg;
    stage.textContent = headline;
    cancel.hidden = true;
    await deleteIdentity('pending');
    main.append(h('p', {}, h('a', { href: again() }, 'Try again')));
  };

  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  let token = fragment?.get('id_token') ?? null;
  if (!fragment || !raw) return fail('No sign-in in progress in this tab.');
  if (fragment.get('error')) return fail(`The provider refused: ${fragment.get('error_description') ?? fragment.get('error')}`);
  const pending = JSON.parse(raw) as PendingSignIn;
  returnTo = safeReturnPath(pending.returnTo);
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
  // Reported before the prover loads: these need no proof to know.
  const problem = tokenProblem(token, issuer);
  if (problem) {
    token = null;
    return fail(`${problem.message.charAt(0).toUpperCase()}${problem.message.slice(1)} (${problem.code}).`);
  }

  const { ms: estimate, measured } = proveEstimate();
  const started = performance.now();
  const tick = setInterval(() => {
    const elapsed = performance.now() - started;
    // Past the estimate the bar creeps on towards 99 % instead of stopping.
    bar.value = elapsed < estimate ? (elapsed / estimate) * 90 : 90 + 9 * (1 - estimate / elapsed);
    eta.textContent = etaText(elapsed, estimate, measured);
  }, 250);
  // Leaving now would throw the work away: the browser asks first.
  const warnLeave = (e: BeforeUnloadEvent) => {
    e.preventDefault();
    e.returnValue = '';
  };
  window.addEventListener('beforeunload', warnLeave);

  // A board naming email domains for this issuer (entra) wants the token email's bound (tokenProblem checked it).
  const emailDomain = emailDomainToBind(issuer, tokenPart(token, 1)?.email);
  const worker = new Worker(new URL('../workers/prove.worker.ts', import.meta.url), { type: 'module', name: 'veil-prove' });
  const req: ProveRequest = {
    token,
    jwk: key.jwk,
    epk: identity.epk,
    salt: identity.salt,
    expiry: identity.expiry,
    variant: issuer.variant,
    ...(emailDomain !== undefined ? { emailDomain } : {}),
    artifacts: config.artifacts,
    crs: config.crs.kind,
    threads: Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 16)),
  };
  token = null;
  cancel.hidden = false;
  try {
    const result = await new Promise<Extract<ProveEvent, { type: 'done' }>>((resolve, reject) => {
      cancel.onclick = () => {
        worker.terminate();
        reject(new Cancelled());
      };
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
    window.removeEventListener('beforeunload', warnLeave);
    cancel.hidden = true;
    bar.value = 100;
    recordProveMs(result.ms);
    stage.textContent = `Proof ready in ${(result.ms / 1000).toFixed(1)} s. Registering the membership…`;
    await postMembership(result.bundle);
    const id = await promotePending(result.bundle.claims.domain, issuer.iss);
    stage.textContent = `Signed in as someone at ${id.group}.`;
    navigate(returnTo ?? `/g/${id.group}/public`, true);
  } catch (e) {
    clearInterval(tick);
    window.removeEventListener('beforeunload', warnLeave);
    req.token = '';
    if (e instanceof Cancelled) await fail('The proof was cancelled; nothing was sent.', 'Cancelled.');
    else await fail(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
  } finally {
    worker.terminate();
  }
}

class Cancelled extends Error {}
