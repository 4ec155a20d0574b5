// Issue 12 item 4 end to end, every component real: the dev OIDC issuer over real TLS 1.3, the
// identity service (enrollment stack with its attested, simulated claims key) observing it on its
// own schedule, the board (buildApp on SQLite, listening) collecting the observations after a
// refresh of its key registry, the issuer rotating its key away, and `veil verify-message` against
// that board trusting the rotated-away key only through the observation from the pinned build.
// The post's proof is random bytes, so an accepted key shows as ERR_PROOF_INVALID (the real-proof
// flow is in server/test/e2e-serve.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodePost, generateMessageId, signPayload, type Post } from '@veil/crypto';
import { buildApp, collectKeyObservations, DEFAULT_RATE_LIMIT, KeyRegistry, openSqliteStorage, type ServerConfig, type Storage } from '@veil/server';
import { M_IDENTITY, startStack, type Stack } from '../../identity/test/enroll/helpers.ts';
import { startTlsDevIssuer, type TlsDevIssuer } from '../../identity/test/key-history/tls-dev-issuer.ts';
import { veil } from './veil-process.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const CIRCUIT = (JSON.parse(readFileSync(join(REPO, 'circuits/circuits.json'), 'utf8')) as { circuits: Array<{ name: string; id: string }> }).circuits[0]!;
const TEST_CRS_ID = /^membership\.(test-[0-9a-f]{64})\.json$/.exec(readdirSync(join(REPO, 'circuits/keys')).find((f) => f.startsWith('membership.test-'))!)![1]!;
const dir = mkdtempSync(join(tmpdir(), 'veil-keyobs-e2e-'));
let clock = Date.now();
let issuer: TlsDevIssuer;
let stack: Stack;
let storage: Storage;
let board: Awaited<ReturnType<typeof buildApp>>;
let boardUrl = '';
let registry: KeyRegistry;
const caFile = join(dir, 'ca.pem');
const observerErrors: string[] = [];

const run = (...args: string[]) => veil(args, { env: { VEIL_CRS: 'test', NODE_EXTRA_CA_CERTS: caFile } });
const errCode = (stderr: string) => /veil: (ERR_[A-Z0-9_]+)/.exec(stderr)?.[1];

before(async () => {
  issuer = await startTlsDevIssuer(join(dir, 'issuer'), { graceSeconds: 60, now: () => clock });
  writeFileSync(caFile, issuer.ca.certPem);
  // The identity service observes the issuer at start (and hourly), pinned to the issuer's CA.
  stack = await startStack({ keyObservations: { issuers: [{ iss: issuer.iss, ca: { pem: issuer.ca.certPem } }], onError: (iss, e) => observerErrors.push(`${iss}: ${String(e)}`) } });
  storage = openSqliteStorage({ path: ':memory:' });
  registry = new KeyRegistry({ storage, issuers: [{ iss: issuer.iss, jwks: { load: () => issuer.dev.jwks() } }], now: () => clock });
  const config: ServerConfig = {
    profile: 'development', host: '127.0.0.1', port: 0, dataDir: dir, crs: 'test',
    issuers: [{ id: 'tls', kind: 'oidc', iss: issuer.iss, aud: 'veil-dev', variant: 'oidc', authorizationEndpoint: `${issuer.iss}/auth`, label: 'TLS dev issuer' }],
    rateLimit: DEFAULT_RATE_LIMIT, devIssuer: { clientId: 'veil-dev', graceSeconds: 60 }, keyRefreshSeconds: 3600, enclave: { producer: 'none' },
  };
  board = await buildApp({ config, storage, registry, verifyMembership: async () => { throw new Error('not reached'); }, acceptedCircuits: [CIRCUIT.id], now: () => clock });
  await board.listen({ host: '127.0.0.1', port: 0 });
  boardUrl = `http://127.0.0.1:${(board.server.address() as { port: number }).port}`;
});
after(async () => {
  await board.close();
  await storage.close();
  await stack.close();
  await issuer.close();
  rmSync(dir, { recursive: true, force: true });
});

test('observed by the identity service, collected by the board, trusted by the CLI after the issuer rotated the key away', { timeout: 300_000 }, async () => {
  await registry.refresh(issuer.iss);
  const old = issuer.dev.jwks().keys[0]!;
  assert.deepEqual(await collectKeyObservations({ storage, from: stack.enclave.url, iss: issuer.iss, now: () => clock }), { stored: 1, refused: [] });
  const keys = await (await fetch(`${boardUrl}/api/keys`)).json() as { observations: Array<{ kid: string; n: string; signer: { publicKey: string } }> };
  assert.deepEqual(keys.observations.map((o) => [o.kid, o.n]), [[old.kid, old.n]]);
  // signed by the same attested key as the service's claims files
  const signer = await (await fetch(`${stack.enclave.url}/identity/v1/signer`)).json() as { publicKey: string };
  assert.equal(keys.observations[0]!.signer.publicKey, signer.publicKey);

  // A member posted under the old key; then the issuer rotates and, after the grace period, drops it.
  const sk = ed25519.utils.randomSecretKey();
  const epk = bytesToHex(ed25519.getPublicKey(sk));
  const expiry = Math.floor(clock / 1000) + 86_400;
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: old.kid, typ: 'JWT' })).toString('base64url');
  const claims = { iss: issuer.iss, aud: 'veil-dev', domain: 'example.com', epk, expiry, kid: old.kid!, header };
  await storage.putMembership({
    epk, group: 'example.com', iss: issuer.iss, kid: old.kid!, expiry, circuitId: CIRCUIT.id, createdAt: clock,
    bundle: { v: 1, circuit: { name: CIRCUIT.name, id: CIRCUIT.id }, crs: { id: TEST_CRS_ID, kind: 'test' }, claims, proof: randomBytes(14592).toString('base64') },
  });
  const message: Post = { v: 1, id: generateMessageId(), group: 'example.com', internal: false, text: 'before the rotation', createdAt: clock, epk };
  await storage.insertMessage({ ...message, signature: signPayload(encodePost(message), bytesToHex(sk)), receivedAt: clock });
  await issuer.dev.rotate();
  clock += 120_000;
  await registry.refresh(issuer.iss);
  assert.ok(!issuer.dev.jwks().keys.some((k) => k.kid === old.kid));

  assert.deepEqual(observerErrors, [], 'the scheduled round read the issuer');
  const ok = await run('verify-message', '--server', boardUrl, '--expect-measurement', M_IDENTITY, '--allow-simulation', message.id);
  assert.equal(errCode(ok.stderr), 'ERR_PROOF_INVALID', ok.stderr); // the key was accepted: the verdict rests on the proof
  const unpinned = await run('verify-message', '--server', boardUrl, '--expect-measurement', 'cd'.repeat(32), '--allow-simulation', message.id);
  assert.equal(errCode(unpinned.stderr), 'ERR_KEY_UNVERIFIED', unpinned.stderr);
  assert.match(unpinned.stderr, /does not publish kid .*1 observation refused \(ERR_MEASUREMENT_MISMATCH\)/);
});
