/** History-API routing: same-origin `<a>` clicks navigate without reloading; Back/Forward work. */
export type Route =
  | { page: 'feed' }
  | { page: 'group'; group: string }
  | { page: 'board'; group: string }
  | { page: 'post'; id: string }
  | { page: 'signin' }
  | { page: 'callback' }
  | { page: 'identity' }
  | { page: 'orgs' }
  | { page: 'groups' }
  | { page: 'person-group'; group: string }
  | { page: 'poll'; id: string }
  | { page: 'about' }
  | { page: 'notfound' };

export function parseRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'feed' };
  if (path === '/signin') return { page: 'signin' };
  if (path === '/callback') return { page: 'callback' };
  if (path === '/identity') return { page: 'identity' };
  if (path === '/orgs') return { page: 'orgs' };
  if (path === '/about') return { page: 'about' };
  let m = /^\/g\/([a-z0-9.-]{1,64})\/board$/.exec(path);
  if (m) return { page: 'board', group: m[1]! };
  // `/g/:group/public` is the canonical form: a last path segment ending in `.test`/`.com` would look
  // like a file name to the server's SPA fallback.
  m = /^\/g\/([a-z0-9.-]{1,64})(?:\/public)?$/.exec(path);
  if (m) return { page: 'group', group: m[1]! };
  m = /^\/p\/([0-9a-f]{32})$/.exec(path);
  if (m) return { page: 'post', id: m[1]! };
  if (path === '/groups') return { page: 'groups' };
  m = /^\/groups\/([a-z][a-z0-9-]*)(?:\/([^/]+))?\/?$/.exec(path);
  if (m) {
    let value: string | undefined;
    try {
      value = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    } catch {
      return { page: 'notfound' };
    }
    const group = value === undefined ? m[1]! : `${m[1]}:${value}`;
    if (PERSON_GROUP_ID.test(group)) return { page: 'person-group', group };
  }
  m = /^\/polls\/([0-9a-f]{32})$/.exec(path);
  if (m) return { page: 'poll', id: m[1]! };
  return { page: 'notfound' };
}

/** A person group id as the board's schema allows it (`human`, `country:DE`, `member:acme.test`, `age:18+`). */
const PERSON_GROUP_ID = /^[a-z][a-z0-9-]*(:[A-Za-z0-9][A-Za-z0-9.+-]*)?$/;

/**
 * The page of a person group: `human` → `/groups/human`, `country:DE` → `/groups/country/DE`,
 * `member:acme.test` → `/groups/member/acme.test/` (a trailing slash when the last segment has a
 * dot, which the server's SPA fallback would otherwise take for a file name).
 */
export function groupPath(group: string): string {
  const i = group.indexOf(':');
  const path = i < 0 ? `/groups/${group}` : `/groups/${group.slice(0, i)}/${encodeURIComponent(group.slice(i + 1))}`;
  return /\.[^/]*$/.test(path) ? `${path}/` : path;
}

let onNavigate: (() => void) | null = null;

export function startRouter(render: () => void): void {
  onNavigate = render;
  window.addEventListener('popstate', render);
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/dev-issuer')) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
  render();
}

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  onNavigate?.();
}
