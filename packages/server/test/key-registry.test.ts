// The issuer key registry's JWKS sources: OIDC discovery over real HTTP on loopback, its issuer
// check, and a failing issuer (the registry keeps what it has).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVeilError } from '@veil/crypto';
import { KeyRegistry, openSqliteStorage } from '@veil/server';

let discoveryIssuer = '';
let jwks: unknown = { keys: [{ kty: 'RSA', kid: 'd1', n: 'nnn', e: 'AQAB', alg: 'RS256', use: 'sig' }] };
let up = true;
const server = createServer((req, res) => {
  if (!up) { res.statusCode = 503; res.end(); return; }
  res.setHeader('content-type', 'application/json');
  if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: discoveryIssuer, jwks_uri: `${origin}/keys` }));
  else if (req.url === '/keys') res.end(JSON.stringify(jwks));
  else { res.statusCode = 404; res.end('{}'); }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const storage = openSqliteStorage({ path: join(mkdtempSync(join(tmpdir(), 'veil-reg-')), 'db.sqlite') });
after(async () => { server.close(); await storage.close(); });

test('discovery → jwks_uri → keys; the discovery document must name the issuer', async () => {
  let t = 1000;
  const reg = new KeyRegistry({ storage, issuers: [{ iss: origin, jwks: { discover: origin } }], now: () => t });
  discoveryIssuer = 'https://someone-else.test';
  await assert.rejects(reg.refresh(origin), (e) => isVeilError(e, 'ERR_ISSUER_UNREACHABLE'));
  assert.equal((await storage.listIssuerKeys(origin)).length, 0);
  discoveryIssuer = origin;
  await reg.refresh(origin);
  assert.deepEqual((await storage.listIssuerKeys(origin)).map((k) => k.kid), ['d1']);
  // the issuer goes down: refreshing fails, the recorded key stays
  up = false;
  t += 60_000;
  await assert.rejects(reg.refresh(origin), (e) => isVeilError(e, 'ERR_ISSUER_UNREACHABLE'));
  assert.equal((await reg.getKey(origin, 'd1')).jwk.n, 'nnn');
  await assert.rejects(reg.getKey(origin, 'd2'), (e) => isVeilError(e, 'ERR_ISSUER_KEY_UNKNOWN'));
  up = true;
  jwks = { keys: 'not-a-list' };
  t += 60_000;
  await reg.refresh(origin); // a malformed JWKS adds nothing and removes nothing
  assert.deepEqual((await storage.listIssuerKeys(origin)).map((k) => k.kid), ['d1']);
  await assert.rejects(reg.refresh('https://not-configured.test'), (e) => isVeilError(e, 'ERR_ISSUER_UNKNOWN'));
});
