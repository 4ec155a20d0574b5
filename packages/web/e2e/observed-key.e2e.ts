/**
 * The green "key observed by an attested service" badge in Debian's Chromium, every component real:
 * the dev OIDC issuer over TLS 1.3 with a certificate from a test CA
 * (identity/test/key-history/tls-dev-issuer.ts), the identity service (simulated attestation at
 * M_IDENTITY) observing that issuer pinned to the test CA, the board (buildApp on SQLite, listening,
 * serving an app bundle built to pin that identity build and accept its simulated evidence)
 * collecting the observation, and a member's post with a real proof (test CRS, proven in Node, one
 * proof) signed by the issuer's current key. The page first shows the plain "verified" badge (the
 * browser read the issuer's keys itself, cross-origin over TLS); after the issuer rotates that key
 * away, a fresh page shows the observed-key badge. Chromium trusts the test CA only through
 * `ignoreHTTPSErrors` of its browser context. Run with `npm run test:e2e`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { createBackend, type Backend } from '@veil/prover';
import { nodeArtifacts } from '@veil/prover/artifacts-node';
import { loadTestCrs, testCrsDir } from '@veil/prover/crs-node';
import { CIRCUITS_DIR } from '@veil/circuits/build';
import { buildApp, collectKeyObservations, DEFAULT_RATE_LIMIT, KeyRegistry, openSqliteStorage, proverVerifier, type ServerConfig, type Storage } from '@veil/server';
import { mintGenericToken } from '../../crypto/test/fixtures/tokens.ts';
import { M_IDENTITY, startStack, type Stack } from '../../identity/test/enroll/helpers.ts';
import { startTlsDevIssuer, type TlsDevIssuer } from '../../identity/test/key-history/tls-dev-issuer.ts';
import { signedPost } from '../../server/test/helpers.ts';
import { buildWeb } from '../src/build.ts';
import { freePort, launch } from './harness.ts';

const VERIFY_TIMEOUT = 3 * 60_000;
const dir = mkdtempSync(join(tmpdir(), 'veil-e2e-observed-'));
let issuer: TlsDevIssuer;
let stack: Stack;
let storage: Storage;
let registry: KeyRegistry;
let backend: Backend;
let board: Awaited<ReturnType<typeof buildApp>>;
let boardUrl = '';
let browser: Browser;
const observerErrors: string[] = [];
const cspViolations: string[] = [];

/** The app bundle, pinned to the test identity build and accepting its simulated evidence. */
async function buildPinnedWeb(outDir: string): Promise<string> {
  const saved = { m: process.env.VEIL_OBSERVER_MEASUREMENTS, s: process.env.VEIL_OBSERVER_ALLOW_SIMULATION };
  process.env.VEIL_OBSERVER_MEASUREMENTS = M_IDENTITY;
  process.env.VEIL_OBSERVER_ALLOW_SIMULATION = '1';
  try {
    return await buildWeb({ outDir });
  } finally {
    for (const [k, v] of [['VEIL_OBSERVER_MEASUREMENTS', saved.m], ['VEIL_OBSERVER_ALLOW_SIMULATION', saved.s]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

before(async () => {
  // A retired key leaves the issuer's JWKS one second after the rotation.
  issuer = await startTlsDevIssuer(join(dir, 'issuer'), { graceSeconds: 1 });
  stack = await startStack({ keyObservations: { issuers: [{ iss: issuer.iss, ca: { pem: issuer.ca.certPem } }], onError: (iss, e) => observerErrors.push(`${iss}: ${String(e)}`) } });
  const webDist = await buildPinnedWeb(join(dir, 'web'));
  backend = await createBackend({ crs: 'test' });
  // The browser's verifier reads the test CRS from the board, as from `veil serve`.
  await loadTestCrs((await backend.circuitSize()).dyadic + 1);
  const circuits = await nodeArtifacts().circuits();
  storage = openSqliteStorage({ path: ':memory:' });
  registry = new KeyRegistry({ storage, issuers: [{ iss: issuer.iss, jwks: { load: () => issuer.dev.jwks() } }], now: Date.now });
  const port = await freePort();
  boardUrl = `http://127.0.0.1:${port}`;
  const config: ServerConfig = {
    profile: 'development', host: '127.0.0.1', port, dataDir: dir, crs: 'test', origins: [boardUrl],
    issuers: [{ id: 'tls', kind: 'oidc', iss: issuer.iss, aud: 'veil-dev', variant: 'oidc', authorizationEndpoint: `${issuer.iss}/auth`, label: 'TLS dev issuer' }],
    rateLimit: DEFAULT_RATE_LIMIT, devIssuer: { clientId: 'veil-dev', graceSeconds: 1 }, keyRefreshSeconds: 3600, enclave: { producer: 'none' },
  };
  board = await buildApp({
    config, storage, registry, verifyMembership: proverVerifier(backend),
    acceptedCircuits: circuits.filter((c) => c.acceptedUntil === undefined).map((c) => c.id),
    provableVariants: ['oidc'], artifactDirs: [CIRCUITS_DIR, testCrsDir()], webDist, logger: false,
  });
  await board.listen({ host: '127.0.0.1', port });
  browser = await launch();
});
after(async () => {
  await browser?.close().catch(() => {});
  await board?.close();
  await storage?.close();
  await backend?.destroy();
  await stack?.close();
  await issuer?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh browser profile on the post's permalink; resolves with its settled badge. */
async function badgeOn(id: string): Promise<{ badge: string; title: string; page: Page }> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(60_000);
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text()); });
  await page.goto(`${boardUrl}/p/${id}`);
  const badge = page.locator(`article.post[data-id="${id}"] [data-badge]:not([data-badge="checking"])`);
  await badge.waitFor({ timeout: VERIFY_TIMEOUT });
  return { badge: (await badge.getAttribute('data-badge'))!, title: (await badge.getAttribute('title')) ?? '', page };
}

test('a post signed under a key the issuer rotated away shows the observed-key badge', { timeout: 10 * 60_000 }, async () => {
  await registry.refresh(issuer.iss);
  const current = JSON.parse(readFileSync(join(dir, 'issuer', 'keys.json'), 'utf8')) as { keys: Array<{ kid: string; privateJwk: JsonWebKey; retiredAt: number | null }> };
  const signing = current.keys.find((k) => k.retiredAt === null)!;
  assert.deepEqual(issuer.dev.jwks().keys.map((k) => k.kid), [signing.kid]);
  // The identity service observed the issuer at its start; the board collects what it signed.
  assert.deepEqual(await collectKeyObservations({ storage, from: stack.enclave.url, iss: issuer.iss, now: Date.now }), { stored: 1, refused: [] });

  // A member's real proof over an ID token signed with the issuer's current key (its own key file).
  const eph = generateEphemeralKey();
  const salt = BigInt(`0x${randomBytes(16).toString('hex')}`);
  const expiry = Math.floor(Date.now() / 1000) + 86_400;
  const { token } = await mintGenericToken({
    epk: eph.publicKey, salt, expiry, privateKey: createPrivateKey({ key: signing.privateJwk as never, format: 'jwk' }),
    header: { kid: signing.kid }, claims: { iss: issuer.iss, aud: 'veil-dev', email: 'alice@acme.test' },
  });
  const jwk = issuer.dev.jwks().keys[0]! as JsonWebKey & { kid: string };
  const bundle = await backend.prove({ token, jwk, epk: eph.publicKey, salt, expiry, variant: 'oidc' });
  const joined = await board.inject({ method: 'POST', url: '/api/memberships', payload: bundle as object });
  assert.equal(joined.statusCode, 201, joined.body);
  const post = signedPost({ secretKey: bytesToHex(eph.secretKey), publicKey: bytesToHex(eph.publicKey) }, { group: 'acme.test', text: 'posted before the rotation' }, Date.now());
  const posted = await board.inject({ method: 'POST', url: '/api/messages', payload: post });
  assert.equal(posted.statusCode, 201, posted.body);

  // The issuer still publishes the key: the browser reads it from the issuer (cross-origin, TLS).
  const before = await badgeOn(post.message.id);
  assert.equal(before.badge, 'verified', before.title);

  // The issuer rotates; a second later the old key is gone from its JWKS.
  await issuer.dev.rotate();
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(!issuer.dev.jwks().keys.some((k) => k.kid === signing.kid));
  await registry.refresh(issuer.iss);

  const afterRotation = await badgeOn(post.message.id);
  assert.equal(afterRotation.badge, 'observed-key', afterRotation.title);
  // Reached the issuer, which no longer publishes the key (not merely an unreachable issuer).
  assert.match(afterRotation.title, new RegExp(`does not publish key ${signing.kid}`));
  assert.match(afterRotation.title, new RegExp(`by an attested identity service \\(measurement ${M_IDENTITY.slice(0, 16)}…, SIMULATED attestation\\)`));
  assert.match(await afterRotation.page.locator(`article.post[data-id="${post.message.id}"] [data-badge]`).textContent() ?? '', /key observed by an attested service/);
  assert.deepEqual(observerErrors, []);
  assert.deepEqual(cspViolations, []);
});
