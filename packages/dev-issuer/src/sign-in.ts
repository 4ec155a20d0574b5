/**
 * Scripted sign-in at the dev issuer over real HTTP, as a browser would do it: authorization
 * request → login page → choose an account → follow redirects until the redirect URI. For tests and
 * scripts; development only. `signInWithDevIssuer` runs the implicit flow and returns the ID token;
 * `authorizeWithDevIssuer` runs any authorization URL the caller built (e.g. code + PKCE, as the
 * CLI's `veil login --dev-account` does) and returns the URL the issuer redirected to.
 */
export interface DevSignInOptions {
  /** The authorization endpoint (from discovery / `/api/config`). */
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  nonce: string;
  /** Account `sub` to choose on the login page (e.g. `dev-alice`). */
  account: string;
  state?: string;
}

export interface DevAuthorizeOptions {
  /** The complete authorization request URL. */
  authorizationUrl: string;
  /** Where the flow ends: the first redirect to this URI (query and fragment ignored) is returned. */
  redirectUri: string;
  /** The account to choose on the login page: its `sub` (`dev-alice`) or its email (`alice@acme.test`). */
  account: string;
}

const decodeEntities = (s: string) => s.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d)));

/**
 * @example
 * import { authorizeWithDevIssuer } from '@veil/dev-issuer/sign-in';
 * const back = await authorizeWithDevIssuer({ authorizationUrl, redirectUri: 'http://127.0.0.1:53123/callback', account: 'alice@acme.test' });
 * new URL(back).searchParams.get('code');
 * @throws Error when any step of the flow does not go as a browser would see it, or the account is not offered.
 */
export async function authorizeWithDevIssuer(o: DevAuthorizeOptions): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i).trim(), pair!.slice(i + 1));
    }
  };
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() } });
    remember(res);
    return res;
  };

  let url = o.authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    const res = await go(url);
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url).href;
      await res.body?.cancel();
      if (next.split(/[?#]/)[0] === o.redirectUri) return next;
      url = next;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`dev sign-in: ${res.status} at ${url}: ${html.slice(0, 300)}`);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error('dev sign-in: no login form');
    const offered = [...html.matchAll(/<button type="submit" name="account" value="([^"]+)">[^<]*&lt;([^&]+)&gt;/g)].map((m) => ({ sub: decodeEntities(m[1]!), email: decodeEntities(m[2]!) }));
    const account = offered.find((a) => a.sub === o.account || a.email === o.account);
    if (!account) throw new Error(`dev sign-in: no development account ${o.account} (offered: ${offered.map((a) => a.email).join(', ')})`);
    const post = await go(new URL(decodeEntities(action), url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ account: account.sub }).toString(),
    });
    if (post.status < 300 || post.status >= 400) throw new Error(`dev sign-in: login returned ${post.status}: ${(await post.text()).slice(0, 300)}`);
    url = new URL(post.headers.get('location')!, url).href;
    await post.body?.cancel();
  }
  throw new Error('dev sign-in: too many redirects');
}

/**
 * @example
 * import { signInWithDevIssuer } from '@veil/dev-issuer/sign-in';
 * const idToken = await signInWithDevIssuer({ authorizationEndpoint, clientId: 'veil-dev', redirectUri, nonce, account: 'dev-alice' });
 * @throws Error when any step of the flow does not go as a browser would see it.
 */
export async function signInWithDevIssuer(o: DevSignInOptions): Promise<string> {
  const auth = new URL(o.authorizationEndpoint);
  auth.search = new URLSearchParams({
    client_id: o.clientId,
    redirect_uri: o.redirectUri,
    response_type: 'id_token',
    response_mode: 'fragment',
    scope: 'openid email profile',
    nonce: o.nonce,
    state: o.state ?? 'dev',
  }).toString();
  return tokenFrom(await authorizeWithDevIssuer({ authorizationUrl: auth.href, redirectUri: o.redirectUri, account: o.account }));
}
function tokenFrom(redirect: string): string {
  const u = new URL(redirect);
  const frag = new URLSearchParams(u.hash ? u.hash.slice(1) : u.search.slice(1));
  const t = frag.get('id_token');
  if (!t) throw new Error(`dev sign-in: no id_token in redirect ${redirect} (${frag.get('error') ?? 'unknown'}: ${frag.get('error_description') ?? ''})`);
  return t;
}
