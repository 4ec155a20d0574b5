// member:<domain> groups behind the real enrollment stack, with tokens from the project's real dev
// OpenID Provider (three instances over HTTP: the accepted one, one accepted for another client id,
// and one not accepted at all). One account is one person whatever the session; refusals reach the
// board with nothing; the service's files hold nothing of the account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createDevIssuer, signInWithDevIssuer, type DevIssuer } from '@veil/dev-issuer';
import { deriveCommitment, generateIdentitySecret } from '@veil/crypto';
import { fetchIssuerJwks } from '@veil/crypto/fetch-issuer-jwks';
import { verifyIdToken } from '@veil/crypto/verify-id-token';
import { connectIdentityService, joinMemberGroup, memberJoinNonce } from '../../../src/enroll/index.ts';
import { createIssuerKeys } from '../../../src/enroll/issuer-keys.ts';
import { M_IDENTITY, startBoardReplica, startStack } from '../helpers.ts';

const code = (c: string) => (e: { code?: string }) => { assert.equal(e.code, c); return true; };
const commitment = async () => deriveCommitment(generateIdentitySecret());
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const kidOf = (k: JsonWebKey | undefined) => (k as { kid?: string } | undefined)?.kid;
const payloadOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

async function startIssuers(dir: string): Promise<{ origin: string; issuers: Record<'good' | 'otherAud' | 'rogue', DevIssuer>; server: Server }> {
  const issuers: Partial<Record<'good' | 'otherAud' | 'rogue', DevIssuer>> = {};
  const server = createServer((req, res) => {
    const dev = Object.values(issuers).find((d) => req.url?.startsWith(`${d!.mountPath}/`) || req.url === d!.mountPath);
    if (dev) void dev.handle(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const mk = (path: string, clientId?: string) => createDevIssuer({ issuer: `${origin}/${path}`, dataDir: join(dir, path), redirectUris: [`${origin}/`], ...(clientId ? { clientId } : {}) });
  issuers.good = await mk('dev-issuer');
  issuers.otherAud = await mk('other-app-issuer', 'other-app');
  issuers.rogue = await mk('rogue-issuer');
  return { origin, issuers: issuers as Record<'good' | 'otherAud' | 'rogue', DevIssuer>, server };
}

/** Every byte under `dir`, as latin1 text, to search for account data. */
function allBytes(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile()).map((f) => readFileSync(f).toString('latin1')).join('\n');
}

test('member groups: one leaf per account across sessions, two accounts two leaves, every bad token refused with its code', { timeout: 300_000 }, async () => {
  let key = '';
  const board = await startBoardReplica(() => key);
  const { origin, issuers, server } = await (async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    return startIssuers(await mkdtemp(join(tmpdir(), 'veil-member-issuers-')));
  })();
  const s = await startStack({
    registrar: { boardUrl: board.url },
    memberIssuers: [{ iss: issuers.good.issuer, aud: 'veil-dev' }, { iss: issuers.otherAud.issuer, aud: 'veil-dev' }],
  });
  const G = 'member:acme.test';
  const token = (dev: DevIssuer, account: string, group: string, c: string) =>
    signInWithDevIssuer({ authorizationEndpoint: dev.authorizationEndpoint, clientId: dev.clientId, redirectUri: `${origin}/`, nonce: memberJoinNonce(group, c), account });
  try {
    key = s.enclave.enrollment!.registrarKey()!;
    const conn = await connectIdentityService({ url: s.enclave.url, measurements: [M_IDENTITY], allowSimulation: true });

    const c1 = await commitment();
    const t1 = await token(issuers.good, 'dev-alice', G, c1);
    assert.deepEqual(await joinMemberGroup(conn, { group: G, commitment: c1, token: t1 }), { group: G, leafIndex: 0, size: 1 });
    // Another session of the same account: the same person.
    const c2 = await commitment();
    const t2 = await token(issuers.good, 'dev-alice', G, c2);
    assert.notEqual(t2, t1);
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c2, token: t2 }), code('ERR_ALREADY_REGISTERED'));
    assert.deepEqual(await joinMemberGroup(conn, { group: G, commitment: c2, token: t2, replace: true }), { group: G, leafIndex: 1, size: 1 });
    assert.equal(board.trees.get(G)!.indexOf(c1), -1, 'the old leaf is removed');
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c2, token: t2, replace: true }), code('ERR_ALREADY_REGISTERED'), 'the same request again');
    // Another account: another person.
    const c3 = await commitment();
    assert.deepEqual(await joinMemberGroup(conn, { group: G, commitment: c3, token: await token(issuers.good, 'dev-bob', G, c3) }), { group: G, leafIndex: 2, size: 2 });
    const before = board.received.length;

    const c4 = await commitment();
    const t4 = await token(issuers.good, 'dev-alice', G, c4);
    // Forged: bob's payload under alice's signature; a signature from another issuer's key.
    const [h, , sig] = t4.split('.');
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c4, token: `${h}.${b64({ ...payloadOf(t4), sub: 'dev-bob' })}.${sig}` }), code('ERR_SIGNATURE_INVALID'));
    const rogue = await token(issuers.rogue, 'dev-alice', G, c4);
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c4, token: `${h}.${b64({ ...payloadOf(rogue), iss: issuers.good.issuer })}.${rogue.split('.')[2]}` }), code('ERR_SIGNATURE_INVALID'));
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c4, token: 'not.a.jwt' }), code('ERR_TOKEN_MALFORMED'));
    // Issuer and audience allow-list.
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c4, token: rogue }), code('ERR_ISSUER_UNKNOWN'));
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c4, token: await token(issuers.otherAud, 'dev-alice', G, c4) }), code('ERR_AUD_MISMATCH'));
    // Claims: another domain, an unverified email.
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c4, token: await token(issuers.good, 'dev-carol', G, c4) }), code('ERR_DOMAIN_MISMATCH'));
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c4, token: await token(issuers.good, 'dev-eve', G, c4) }), code('ERR_EMAIL_UNVERIFIED'));
    // Replayed: for another group, for another commitment.
    await assert.rejects(joinMemberGroup(conn, { group: 'member:globex.test', commitment: c4, token: t4 }), code('ERR_NONCE_MISMATCH'));
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: await commitment(), token: t4 }), code('ERR_NONCE_MISMATCH'));
    await assert.rejects(joinMemberGroup(conn, { group: G, commitment: c3, token: t4, replace: true }), code('ERR_NONCE_MISMATCH'), 'taking over another leaf');
    await assert.rejects(joinMemberGroup(conn, { group: 'member:ACME.test', commitment: c4, token: t4 }), code('ERR_REQUEST_MALFORMED'));
    assert.equal(board.received.length, before, 'nothing reached the board');

    // Expired: the same token and the service's own check, an hour and a minute later.
    const keyOf = async (iss: string, kid: string) => {
      const live = await fetchIssuerJwks(iss);
      return 'keys' in live ? (live.keys.find((k) => k.kid === kid) as JsonWebKey | undefined) : undefined;
    };
    const opts = { issuers: [{ iss: issuers.good.issuer, aud: 'veil-dev' }], key: keyOf, domain: 'acme.test', nonce: memberJoinNonce(G, c4) };
    const exp = payloadOf(t4).exp as number;
    assert.equal((await verifyIdToken(t4, { ...opts, now: exp - 1 })).sub, 'dev-alice');
    await assert.rejects(verifyIdToken(t4, { ...opts, now: exp + 61 }), code('ERR_TOKEN_EXPIRED'));
    await assert.rejects(verifyIdToken(t4, { ...opts, now: (payloadOf(t4).iat as number) - 120 }), code('ERR_CLAIM_INVALID'), 'issued in the future');

    // Nothing of the accounts in the service's files (store, sealed secrets).
    const bytes = allBytes(join(s.dir, 'enclave'));
    for (const needle of ['dev-alice', 'dev-bob', 'alice@acme.test', 'bob@acme.test', issuers.good.issuer]) assert.ok(!bytes.includes(needle), needle);
  } finally {
    await s.close();
    await board.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('issuer keys: read over https only (http on loopback for the dev issuer), cached, unknown kids refetched at most every 10 s', async () => {
  const asked: string[] = [];
  const jwks = { keys: [{ kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB' }] };
  const fake: typeof fetch = async (input) => {
    const url = String(input);
    asked.push(url);
    const body = url.endsWith('/.well-known/openid-configuration') ? { issuer: url.replace('/.well-known/openid-configuration', ''), jwks_uri: url.startsWith('https://evil.test') ? 'http://evil.test/jwks' : `${url.split('/.well-known')[0]}/jwks` } : jwks;
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  };
  let t = 0;
  const keyOf = createIssuerKeys({ fetch: fake, now: () => t });
  await assert.rejects(keyOf('http://idp.example', 'k1'), code('ERR_ISSUER_UNREACHABLE'));
  assert.deepEqual(asked, [], 'plain http to a remote issuer is never even asked');
  await assert.rejects(keyOf('https://evil.test', 'k1'), code('ERR_ISSUER_UNREACHABLE'), 'a jwks_uri over plain http');
  asked.length = 0;
  assert.equal(kidOf(await keyOf('https://idp.example', 'k1')), 'k1');
  assert.equal(kidOf(await keyOf('https://idp.example', 'k1')), 'k1');
  assert.equal(await keyOf('https://idp.example', 'nope'), undefined);
  assert.equal(asked.length, 2, 'cached: one discovery and one JWKS read');
  t += 10_000;
  assert.equal(await keyOf('https://idp.example', 'nope'), undefined);
  assert.equal(asked.length, 4, 'an unknown kid after 10 s: read again');
  assert.equal(kidOf(await createIssuerKeys({ fetch: fake })('http://127.0.0.1:9/dev-issuer', 'k1')), 'k1', 'loopback http');
});
