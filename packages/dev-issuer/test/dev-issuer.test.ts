import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { authorizeWithDevIssuer, createDevIssuer, signInWithDevIssuer, type DevIssuer } from '@veil/dev-issuer';

async function start(dataDir: string, graceSeconds = 600, now?: () => number): Promise<{ dev: DevIssuer; server: Server; origin: string }> {
  let dev: DevIssuer | undefined;
  const server = createServer((req, res) => {
    if (dev && req.url?.startsWith('/dev-issuer')) void dev.handle(req, res);
    else { res.statusCode = 404; res.end(); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}`;
  dev = await createDevIssuer({ issuer: `${origin}/dev-issuer`, dataDir, redirectUris: [`${origin}/`], graceSeconds, ...(now ? { now } : {}) });
  return { dev, server, origin };
}

test('implicit flow over HTTP: RS256 ID token with nonce, email, email_verified, hd, name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-dev-issuer-'));
  const { dev, server, origin } = await start(dir);
  try {
    const disc = await (await fetch(dev.discoveryUrl)).json() as Record<string, unknown>;
    assert.equal(disc.issuer, `${origin}/dev-issuer`);
    assert.equal(disc.authorization_endpoint, dev.authorizationEndpoint);
    const token = await signInWithDevIssuer({ authorizationEndpoint: dev.authorizationEndpoint, clientId: 'veil-dev', redirectUri: `${origin}/`, nonce: 'n-12345', account: 'dev-carol' });
    const jwks = createRemoteJWKSet(new URL(disc.jwks_uri as string));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: dev.issuer, audience: 'veil-dev', algorithms: ['RS256'] });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.nonce, 'n-12345');
    assert.equal(payload.email, 'carol@globex.test');
    assert.equal(payload.email_verified, true);
    assert.equal(payload.hd, 'globex.test');
    assert.equal(payload.name, 'Carol Chen');
    const eve = await signInWithDevIssuer({ authorizationEndpoint: dev.authorizationEndpoint, clientId: 'veil-dev', redirectUri: `${origin}/`, nonce: 'n2', account: 'dev-eve' });
    const { payload: p2 } = await jwtVerify(eve, jwks, { issuer: dev.issuer, audience: 'veil-dev' });
    assert.equal(p2.email_verified, false);
    // a redirect URI that is not registered is refused (no token)
    await assert.rejects(signInWithDevIssuer({ authorizationEndpoint: dev.authorizationEndpoint, clientId: 'veil-dev', redirectUri: 'http://127.0.0.1:1/evil', nonce: 'n', account: 'dev-alice' }));
    // the login page is labelled DEVELOPMENT
    const first = await fetch(`${dev.authorizationEndpoint}?client_id=veil-dev&redirect_uri=${encodeURIComponent(origin + '/')}&response_type=id_token&scope=openid&nonce=x`, { redirect: 'manual' });
    const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const page = await fetch(new URL(first.headers.get('location')!, origin), { headers: { cookie } });
    const html = await page.text();
    assert.match(html, /DEVELOPMENT/);
    assert.match(html, /<button type="submit" name="account" value="dev-alice">/);
    // without the interaction cookie the login page is refused
    const noCookie = await fetch(new URL(first.headers.get('location')!, origin));
    assert.equal(noCookie.status, 400);
  } finally {
    server.close();
  }
});

test('rotation: new key signs, old key published during grace, then gone; keys persist on restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-dev-issuer-'));
  let t = Date.now();
  const { dev, server, origin } = await start(dir, 60, () => t);
  try {
    const before = dev.jwks().keys.map((k) => k.kid);
    assert.equal(before.length, 1);
    // unauthenticated rotation is refused
    const denied = await fetch(`${origin}/dev-issuer/rotate`, { method: 'POST' });
    assert.equal(denied.status, 401);
    assert.deepEqual(dev.jwks().keys.map((k) => k.kid), before);
    const token = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')).adminToken as string;
    const ok = await fetch(`${origin}/dev-issuer/rotate`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    const { kid } = await ok.json() as { kid: string };
    assert.deepEqual(dev.jwks().keys.map((k) => k.kid), [kid, before[0]]);
    const idt = await signInWithDevIssuer({ authorizationEndpoint: dev.authorizationEndpoint, clientId: 'veil-dev', redirectUri: `${origin}/`, nonce: 'n', account: 'dev-alice' });
    assert.equal(decodeProtectedHeader(idt).kid, kid);
    const served = await (await fetch(`${origin}/dev-issuer/jwks`)).json() as { keys: { kid: string }[] };
    assert.deepEqual(served.keys.map((k) => k.kid), [kid, before[0]]);
    t += 61_000;
    assert.deepEqual(dev.jwks().keys.map((k) => k.kid), [kid]);
    const served2 = await (await fetch(`${origin}/dev-issuer/jwks`)).json() as { keys: { kid: string }[] };
    assert.deepEqual(served2.keys.map((k) => k.kid), [kid]);
  } finally {
    server.close();
  }
  const again = await start(dir, 60, () => t);
  try {
    assert.equal(again.dev.jwks().keys.length, 1);
  } finally {
    again.server.close();
  }
});

test('code + PKCE with a loopback redirect on any port (RFC 8252): ID token with the claims; PKCE and redirect enforced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-dev-issuer-'));
  const { dev, server, origin } = await start(dir);
  const b64u = (b: Buffer) => b.toString('base64url');
  const authorize = (redirectUri: string, challenge: string, extra: Record<string, string> = {}) => {
    const u = new URL(dev.authorizationEndpoint);
    u.search = new URLSearchParams({ client_id: 'veil-dev', redirect_uri: redirectUri, response_type: 'code', scope: 'openid email profile', nonce: 'n-code', state: 's1', code_challenge: challenge, code_challenge_method: 'S256', ...extra }).toString();
    return u.href;
  };
  const exchange = (code: string, redirectUri: string, verifier: string) =>
    fetch(dev.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'veil-dev', code_verifier: verifier }) });
  try {
    // The registered URI is `${origin}/`; a loopback URI on another port is accepted for this native client.
    const loopback = 'http://127.0.0.1:45678/';
    const verifier = b64u(randomBytes(32));
    const challenge = b64u(createHash('sha256').update(verifier).digest());
    const back = new URL(await authorizeWithDevIssuer({ authorizationUrl: authorize(loopback, challenge), redirectUri: loopback, account: 'alice@acme.test' }));
    assert.equal(back.searchParams.get('state'), 's1');
    const code = back.searchParams.get('code')!;
    assert.ok(code);
    // a wrong verifier is refused
    const wrong = await exchange(code, loopback, b64u(randomBytes(32)));
    assert.equal(wrong.status, 400);
    const back2 = new URL(await authorizeWithDevIssuer({ authorizationUrl: authorize(loopback, challenge), redirectUri: loopback, account: 'dev-alice' }));
    const res = await exchange(back2.searchParams.get('code')!, loopback, verifier);
    assert.equal(res.status, 200);
    const { id_token } = await res.json() as { id_token: string };
    const disc = await (await fetch(dev.discoveryUrl)).json() as { jwks_uri: string };
    const { payload } = await jwtVerify(id_token, createRemoteJWKSet(new URL(disc.jwks_uri)), { issuer: dev.issuer, audience: 'veil-dev', algorithms: ['RS256'] });
    assert.equal(payload.nonce, 'n-code');
    assert.equal(payload.email, 'alice@acme.test');
    assert.equal(payload.email_verified, true);
    // the code cannot be replayed
    assert.equal((await exchange(back2.searchParams.get('code')!, loopback, verifier)).status, 400);
    // PKCE is required for this public client
    const u = new URL(authorize(loopback, challenge));
    u.searchParams.delete('code_challenge');
    u.searchParams.delete('code_challenge_method');
    const noPkce = new URL(await authorizeWithDevIssuer({ authorizationUrl: u.href, redirectUri: loopback, account: 'dev-alice' }));
    assert.equal(noPkce.searchParams.get('code'), null);
    assert.equal(noPkce.searchParams.get('error'), 'invalid_request');
    // a non-loopback host, or another path, is refused
    await assert.rejects(authorizeWithDevIssuer({ authorizationUrl: authorize('http://example.test:45678/', challenge), redirectUri: 'http://example.test:45678/', account: 'dev-alice' }));
    await assert.rejects(authorizeWithDevIssuer({ authorizationUrl: authorize('http://127.0.0.1:45678/evil', challenge), redirectUri: 'http://127.0.0.1:45678/evil', account: 'dev-alice' }));
    // an unknown account is named
    await assert.rejects(authorizeWithDevIssuer({ authorizationUrl: authorize(loopback, challenge), redirectUri: loopback, account: 'mallory@acme.test' }), /no development account mallory@acme.test/);
    void origin;
  } finally {
    server.close();
  }
});
