// `veil verify-message` and a key the issuer has rotated away (issue 12 item 4): the real dev OIDC
// issuer over real TLS 1.3 (its development CA given to the CLI with NODE_EXTRA_CA_CERTS), a real
// key observation made by the identity service's observer and signed with its attested
// (simulated) claims key before the rotation, and a malicious board server that serves whatever
// the test crafts. A proof of the right size but random bytes shows where a key was accepted:
// verification then gets as far as the proof (ERR_PROOF_INVALID).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { encodePost, generateMessageId, signPayload, type Post } from '@veil/crypto';
import { signKeyObservationWith, type KeyObservation } from '@veil/crypto/key-observation';
import { generateChannelKey } from '@veil/identity';
import { createClaimsSigner } from '@veil/identity/enroll';
import { signKeyObservation } from '@veil/identity/key-history';
import { createKeyObserver } from '@veil/identity/key-history/create-key-observer';
import { startTlsDevIssuer, type TlsDevIssuer } from '../../identity/test/key-history/tls-dev-issuer.ts';
import { trustIssuerKey } from '../src/lib/trust-issuer-key.ts';
import { veil } from './veil-process.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'veil-cli-keyobs-'));
const CIRCUIT = (JSON.parse(readFileSync(join(REPO, 'circuits/circuits.json'), 'utf8')) as { circuits: Array<{ name: string; id: string }> }).circuits[0]!;
const TEST_CRS_ID = /^membership\.(test-[0-9a-f]{64})\.json$/.exec(readdirSync(join(REPO, 'circuits/keys')).find((f) => f.startsWith('membership.test-'))!)![1]!;
const M = 'ab'.repeat(32);

let board: Server;
let boardUrl = '';
let issuer: TlsDevIssuer;
let caFile = '';
let obs: KeyObservation;
let current: KeyObservation;
let sign: (m: Uint8Array) => Uint8Array;
let clock = Date.now();
const details = new Map<string, unknown>();

const run = (...args: string[]) => veil(args, { env: { VEIL_CRS: 'test', NODE_EXTRA_CA_CERTS: caFile } });
const errCode = (stderr: string) => /veil: (ERR_[A-Z0-9_]+)/.exec(stderr)?.[1];

before(async () => {
  issuer = await startTlsDevIssuer(join(dir, 'issuer'), { graceSeconds: 60, now: () => clock });
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, issuer.ca.certPem);
  // The identity service's observer, with the claims key and evidence that sign claims files.
  const producer = await createSimulationProducer({ dataDir: join(dir, 'enclave'), measurement: M });
  const signer = await createClaimsSigner(producer, (await generateChannelKey()).publicKey);
  sign = signer.sign;
  const observer = createKeyObserver({ sign: (f) => signKeyObservation(signer, f, producer.rootPublicKey), issuers: [{ iss: issuer.iss, ca: { pem: issuer.ca.certPem } }], now: () => clock });
  [obs] = (await observer.observe(issuer.iss)) as [KeyObservation];
  // The issuer rotates; after the grace period the observed key is no longer published.
  await issuer.dev.rotate();
  clock += 120_000;
  [current] = (await createKeyObserver({ sign: (f) => signKeyObservation(signer, f, producer.rootPublicKey), issuers: [{ iss: issuer.iss, ca: { pem: issuer.ca.certPem } }], now: () => clock }).observe(issuer.iss)) as [KeyObservation];
  assert.notEqual(current.kid, obs.kid);

  board = createServer((req, res) => {
    const url = req.url ?? '';
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url === '/api/config') return send(200, { issuers: [{ id: 'x', kind: 'oidc', iss: issuer.iss, aud: 'veil-dev', label: 'X' }] });
    const m = /^\/api\/messages\/([0-9a-f]{32})$/.exec(url);
    if (m && details.has(m[1]!)) return send(200, details.get(m[1]!));
    return send(404, { error: { code: 'ERR_NOT_FOUND', message: 'no' } });
  });
  await new Promise<void>((r) => board.listen(0, '127.0.0.1', () => r()));
  boardUrl = `http://127.0.0.1:${(board.address() as { port: number }).port}`;
});
after(async () => {
  board.close();
  await issuer.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A post whose membership names `key` (default: the rotated-away one), served with `observations`. */
function publish(observations: unknown[], key: { kid: string; n: string; e: string } = obs): string {
  const sk = ed25519.utils.randomSecretKey();
  const epk = bytesToHex(ed25519.getPublicKey(sk));
  const message: Post = { v: 1, id: generateMessageId(), group: 'example.com', internal: false, text: 'hello', createdAt: Date.now() - 1000, epk };
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'JWT' })).toString('base64url');
  const claims = { iss: issuer.iss, aud: 'veil-dev', domain: 'example.com', epk, expiry: Math.floor(Date.now() / 1000) + 86400, kid: key.kid, header };
  const bundle = { v: 1, circuit: { name: CIRCUIT.name, id: CIRCUIT.id }, crs: { id: TEST_CRS_ID, kind: 'test' }, claims, proof: randomBytes(14592).toString('base64') };
  const jwk = { kty: 'RSA', kid: key.kid, n: key.n, e: key.e, alg: 'RS256', use: 'sig' };
  details.set(message.id, {
    message, signature: signPayload(encodePost(message), bytesToHex(sk)), likes: 0, receivedAt: Date.now(),
    membership: { epk, group: 'example.com', iss: issuer.iss, kid: key.kid, expiry: claims.expiry, circuitId: CIRCUIT.id, createdAt: Date.now(), bundle },
    issuerKey: { iss: issuer.iss, kid: key.kid, jwk, firstSeen: 1, lastSeen: 2 }, issuerKeyObservations: observations,
  });
  return message.id;
}

test('a rotated-away key with a valid observation from the pinned build is trusted (keySource notarised-observation)', async () => {
  const key = { iss: issuer.iss, kid: obs.kid, jwk: { n: obs.n, e: obs.e } };
  const trust = { measurements: [M], allowSimulation: true };
  const t = await trustIssuerKey(key, { trustServerKeys: false, observations: [obs], observerTrust: async () => trust });
  assert.equal(t.source, 'notarised-observation');
  assert.deepEqual(t.observation, { observedAt: new Date(obs.observed_at * 1000).toISOString(), jwksUri: obs.jwks_uri, measurement: M, simulated: true });
  await assert.rejects(trustIssuerKey(key, { trustServerKeys: false, observations: [], observerTrust: async () => trust }), (e: { code?: string }) => e.code === 'ERR_KEY_UNVERIFIED');
});

test('veil verify-message: the observation is accepted only from the pinned measurement, with --allow-simulation for simulated evidence', { timeout: 300_000 }, async () => {
  const id = publish([obs]);
  const ok = await run('verify-message', '--server', boardUrl, '--expect-measurement', M, '--allow-simulation', id);
  assert.equal(errCode(ok.stderr), 'ERR_PROOF_INVALID', ok.stderr); // the key was accepted: the verdict rests on the proof
  assert.match(ok.stderr, /SIMULATED ATTESTATION/);
  const noSim = await run('verify-message', '--server', boardUrl, '--expect-measurement', M, id);
  assert.equal(errCode(noSim.stderr), 'ERR_KEY_UNVERIFIED', noSim.stderr);
  assert.match(noSim.stderr, /does not publish kid .*1 observation refused \(ERR_SIMULATION_NOT_ALLOWED\)/);
  const otherBuild = await run('verify-message', '--server', boardUrl, '--expect-measurement', 'cd'.repeat(32), '--allow-simulation', id);
  assert.equal(errCode(otherBuild.stderr), 'ERR_KEY_UNVERIFIED', otherBuild.stderr);
  assert.match(otherBuild.stderr, /ERR_MEASUREMENT_MISMATCH/);
});

test('veil verify-message refuses forged, mismatched and off-host observations (ERR_KEY_UNVERIFIED, each reason named)', { timeout: 300_000 }, async () => {
  const forged = { ...obs, signature: (obs.signature[0] === '0' ? '1' : '0') + obs.signature.slice(1) };
  const otherIss = signKeyObservationWith({ ...obs, iss: 'https://accounts.google.com', jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs' }, obs.signer, sign);
  const offHost = signKeyObservationWith({ ...obs, jwks_uri: `https://localhost:${new URL(issuer.iss).port}/dev-issuer/jwks` }, obs.signer, sign);
  const sk = ed25519.utils.randomSecretKey();
  const unattested = signKeyObservationWith(obs, { ...obs.signer, publicKey: bytesToHex(ed25519.getPublicKey(sk)) }, (m) => ed25519.sign(m, sk));
  // `current` is a genuine observation, but of another kid (and modulus) than the post's key
  const id = publish([forged, otherIss, offHost, unattested, current]);
  const r = await run('verify-message', '--server', boardUrl, '--expect-measurement', M, '--allow-simulation', id);
  assert.equal(errCode(r.stderr), 'ERR_KEY_UNVERIFIED', r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /5 observations refused \(ERR_OBSERVATION_SIGNATURE_INVALID, ERR_OBSERVATION_MISMATCH, ERR_OBSERVATION_JWKS_HOST, ERR_REPORT_DATA_MISMATCH\)/);
  // the server swaps in another modulus under the observed kid: the observation is of another key
  const swapped = publish([obs], { kid: obs.kid, n: current.n, e: obs.e });
  const r2 = await run('verify-message', '--server', boardUrl, '--expect-measurement', M, '--allow-simulation', swapped);
  assert.equal(errCode(r2.stderr), 'ERR_KEY_UNVERIFIED', r2.stderr);
  assert.match(r2.stderr, /1 observation refused \(ERR_OBSERVATION_MISMATCH\)/);
});
