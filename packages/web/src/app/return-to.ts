/**
 * Where sign-in returns to: a same-origin path the user was on when they chose "Sign in". Anything
 * else (another origin, `//host`, `/\host`, the sign-in pages themselves) falls back to null, so a
 * crafted link cannot send a freshly signed-in user elsewhere.
 */
export function safeReturnPath(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string' || raw.length > 512) return null;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || /[\u0000-\u001f]/.test(raw)) return null;
  const path = raw.split(/[?#]/)[0]!;
  if (path === '/signin' || path === '/callback') return null;
  return raw;
}

/** `/signin?return=<the current page>` (no return for the feed, the default). */
export function signinHref(current: string = location.pathname): string {
  const back = safeReturnPath(current);
  return back && back !== '/' ? `/signin?return=${encodeURIComponent(back)}` : '/signin';
}
