/**
 * Scripted sign-in at the dev issuer over real HTTP, as a browser would do it: authorization
 * request (implicit flow, with nonce) → login page → choose an account → follow redirects → read
 * the ID token from the redirect URI's fragment. For tests and scripts; development only.
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

/**
 * @example
 * import { signInWithDevIssuer } from '@veil/dev-issuer/sign-in';
 * const idToken = await signInWithDevIssuer({ authorizationEndpoint, clientId: 'veil-dev', redirectUri, nonce, account: 'dev-alice' });
 * @throws Error when any step of the flow does not go as a browser would see it.
 */
export async function signInWithDevIssuer(o: DevSignInOptions): Promise<string> {
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

  let url = auth.href;
  for (let hop = 0; hop < 10; hop++) {
    const res = await go(url);
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url).href;
      await res.body?.cancel();
      if (next.split(/[?#]/)[0] === o.redirectUri) return tokenFrom(next);
      url = next;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`dev sign-in: ${res.status} at ${url}: ${html.slice(0, 300)}`);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error('dev sign-in: no login form');
    const post = await go(new URL(action.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d))), url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ account: o.account }).toString(),
    });
    if (post.status < 300 || post.status >= 400) throw new Error(`dev sign-in: login returned ${post.status}: ${(await post.text()).slice(0, 300)}`);
    url = new URL(post.headers.get('location')!, url).href;
    await post.body?.cancel();
  }
  throw new Error('dev sign-in: too many redirects');
}

function tokenFrom(redirect: string): string {
  const u = new URL(redirect);
  const frag = new URLSearchParams(u.hash ? u.hash.slice(1) : u.search.slice(1));
  const t = frag.get('id_token');
  if (!t) throw new Error(`dev sign-in: no id_token in redirect ${redirect} (${frag.get('error') ?? 'unknown'}: ${frag.get('error_description') ?? ''})`);
  return t;
}
