// The dev issuer's login page: one button per development account, no password, clearly labelled.
import type { DevAccount } from '../accounts.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function loginPage(action: string, clientId: string, accounts: readonly DevAccount[]): string {
  const buttons = accounts
    .map(
      (a) => `<li><button type="submit" name="account" value="${esc(a.sub)}">${esc(a.name)} &lt;${esc(a.email)}&gt;${
        a.email_verified ? '' : ' — email NOT verified'
      }</button></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>DEVELOPMENT sign-in — Veil dev issuer</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}
.banner{background:#fde68a;border:2px solid #b45309;padding:.5rem 1rem;font-weight:700}
ul{list-style:none;padding:0}li{margin:.5rem 0}button{font:inherit;padding:.5rem 1rem;width:100%;text-align:left;cursor:pointer}
button:focus{outline:3px solid #2563eb;outline-offset:2px}</style></head>
<body><main>
<p class="banner" role="alert">DEVELOPMENT issuer — not a real identity provider. Anyone can sign in as any account.</p>
<h1>Sign in to <code>${esc(clientId)}</code></h1>
<form method="post" action="${esc(action)}"><fieldset><legend>Choose a development account</legend>
<ul>
${buttons}
</ul></fieldset></form>
</main></body></html>`;
}
