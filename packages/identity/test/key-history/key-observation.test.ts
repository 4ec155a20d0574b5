// Issuer-key observations end to end on real components: the dev OIDC issuer over real TLS 1.3
// (its own development CA), the simulated attested claims key, offline verification — and every
// way an observation must be refused (forged, another issuer/kid/modulus, re-signed by an
// unattested key, wrong measurement, simulation not allowed, a jwks_uri off the issuer's host),
// and issuers the service must not read (wrong CA, system roots, lying discovery).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { isVeilError } from '@veil/crypto';
import { keyObservationSignedBytes, signKeyObservationWith, type KeyObservation } from '@veil/crypto/key-observation';
import { generateDevCa } from '@veil/dev-registry';
import { buildEnclaveApp } from '../../src/app.ts';
import { generateChannelKey } from '../../src/channel.ts';
import { createClaimsSigner, type ClaimsSigner } from '../../src/enroll/claims-signer.ts';
import { createKeyObserver } from '../../src/key-history/create-key-observer.ts';
import { fetchIssuerKeys } from '../../src/key-history/fetch-issuer-keys.ts';
import { signKeyObservation, verifyKeyObservation } from '../../src/key-history/index.ts';
import { startTlsDevIssuer, startTlsServer, type TlsDevIssuer } from './tls-dev-issuer.ts';

const M = 'ab'.repeat(32);
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'veil-keyhist-'));
  dirs.push(d);
  return d;
};
const closers: Array<() => Promise<void>> = [];
let clock = Date.parse('2026-12-01T10:00:00Z');
let issuer: TlsDevIssuer;
let signer: ClaimsSigner;
let root: Uint8Array;
let producer: Awaited<ReturnType<typeof createSimulationProducer>>;

before(async () => {
  issuer = await startTlsDevIssuer(tmp(), { graceSeconds: 60, now: () => clock });
  closers.push(() => issuer.close());
  producer = await createSimulationProducer({ dataDir: tmp(), measurement: M });
  root = producer.rootPublicKey;
  signer = await createClaimsSigner(producer, (await generateChannelKey()).publicKey);
});
after(async () => {
  for (const c of closers) await c();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const code = (c: string) => (e: unknown) => {
  assert.ok(isVeilError(e), `expected a VeilError, got ${String(e)}`);
  assert.equal(e.code, c, (e as Error).message);
  return true;
};
const trust = { measurements: [M], allowSimulation: true };
const pinned = () => ({ iss: issuer.iss, ca: { pem: issuer.ca.certPem } });
const observer = () => createKeyObserver({ sign: (f) => signKeyObservation(signer, f, root), issuers: [pinned()], now: () => clock });

test('the service observes the dev issuer over TLS and the observation outlives the rotation', async () => {
  const [obs] = await observer().observe(issuer.iss);
  assert.ok(obs);
  const published = issuer.dev.jwks().keys[0]!;
  assert.deepEqual({ iss: obs.iss, kid: obs.kid, n: obs.n, e: obs.e, jwks_uri: obs.jwks_uri, observed_at: obs.observed_at },
    { iss: issuer.iss, kid: published.kid, n: published.n, e: published.e, jwks_uri: `${issuer.iss}/jwks`, observed_at: Math.floor(clock / 1000) });
  // The issuer rotates and, after the grace period, no longer publishes the key.
  await issuer.dev.rotate();
  clock += 120_000;
  assert.ok(!(await fetchIssuerKeys(pinned())).keys.some((k) => k.kid === obs.kid), 'the old key is gone from the JWKS');
  const v = await verifyKeyObservation(JSON.parse(JSON.stringify(obs)), trust, { iss: issuer.iss, kid: published.kid!, n: published.n!, e: published.e! });
  assert.deepEqual({ measurement: v.measurement, tee: v.tee, simulated: v.simulated }, { measurement: M, tee: 'simulation', simulated: true });
});

test('the signed bytes are RFC 8785 JSON (checked against the canonicalize library)', async () => {
  const [obs] = await observer().observe(issuer.iss);
  const { signature: _s, ...doc } = obs!;
  const want = new TextEncoder().encode(`veil-identity/key-observation/v1\0${canonicalize(doc)}`);
  assert.deepEqual(keyObservationSignedBytes(doc), want);
});

test('verifiers refuse forged, mismatched, unattested and off-host observations', async () => {
  const [obs] = await observer().observe(issuer.iss) as [KeyObservation];
  const expect = { iss: obs.iss, kid: obs.kid, n: obs.n, e: obs.e };
  const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  // tampered after signing
  await assert.rejects(verifyKeyObservation({ ...obs, signature: (obs.signature[0] === '0' ? '1' : '0') + obs.signature.slice(1) }, trust, expect), code('ERR_OBSERVATION_SIGNATURE_INVALID'));
  await assert.rejects(verifyKeyObservation({ ...obs, n: flip(obs.n) }, trust, { ...expect, n: flip(obs.n) }), code('ERR_OBSERVATION_SIGNATURE_INVALID'));
  await assert.rejects(verifyKeyObservation({ ...obs, observed_at: obs.observed_at + 86_400 }, trust, expect), code('ERR_OBSERVATION_SIGNATURE_INVALID'));
  // a valid observation, but not of the key in question
  await assert.rejects(verifyKeyObservation(obs, trust, { ...expect, iss: 'https://accounts.google.com' }), code('ERR_OBSERVATION_MISMATCH'));
  await assert.rejects(verifyKeyObservation(obs, trust, { ...expect, kid: 'another-kid' }), code('ERR_OBSERVATION_MISMATCH'));
  await assert.rejects(verifyKeyObservation(obs, trust, { ...expect, n: flip(obs.n) }), code('ERR_OBSERVATION_MISMATCH'));
  await assert.rejects(verifyKeyObservation(obs, trust, { ...expect, e: 'AQAB'.slice(0, 3) }), code('ERR_OBSERVATION_MISMATCH'));
  // an attacker's own key signing under the service's evidence: the evidence does not bind it
  const sk = ed25519.utils.randomSecretKey();
  const forged = signKeyObservationWith(obs, { ...obs.signer, publicKey: Buffer.from(ed25519.getPublicKey(sk)).toString('hex') }, (m) => ed25519.sign(m, sk));
  await assert.rejects(verifyKeyObservation(forged, trust, expect), code('ERR_REPORT_DATA_MISMATCH'));
  // evidence of another build; simulation without the flag; another install's root
  await assert.rejects(verifyKeyObservation(obs, { ...trust, measurements: ['cd'.repeat(32)] }, expect), code('ERR_MEASUREMENT_MISMATCH'));
  await assert.rejects(verifyKeyObservation(obs, { measurements: [M] }, expect), code('ERR_SIMULATION_NOT_ALLOWED'));
  const other = await createSimulationProducer({ dataDir: tmp(), measurement: M });
  await assert.rejects(verifyKeyObservation(obs, { ...trust, simulationRoot: other.rootPublicKey }, expect), (e: unknown) => isVeilError(e) && /^ERR_SIMULATION/.test(e.code));
  // even the genuine attested key signing a jwks_uri off the issuer's host is refused
  for (const uri of ['https://localhost:1/jwks', 'https://evil.example/dev-issuer/jwks', `http://${new URL(issuer.iss).host}/dev-issuer/jwks`]) {
    const offHost = signKeyObservationWith({ ...obs, jwks_uri: uri }, obs.signer, signer.sign);
    await assert.rejects(verifyKeyObservation(offHost, trust, expect), code('ERR_OBSERVATION_JWKS_HOST'));
  }
  const { signature: _sig, ...unsigned } = obs;
  await assert.rejects(verifyKeyObservation(unsigned, trust, expect), code('ERR_OBSERVATION_UNSIGNED'));
  for (const bad of [null, {}, { ...obs, v: 2 }, { ...obs, extra: 1 }, { ...obs, kid: 'a b' }, { ...obs, kid: 'a\u0000' }, { ...obs, observed_at: '1' },
    { ...obs, signer: { ...obs.signer, evidenceType: 'tdx' } }, { ...obs, signer: { ...obs.signer, admin: true } }, { ...obs, n: 'not+base64url' }]) {
    await assert.rejects(verifyKeyObservation(bad, trust), code('ERR_OBSERVATION_MALFORMED'));
  }
});

test('the service reads only issuers that answer over verified TLS with honest discovery', async () => {
  const otherCa = await generateDevCa({ commonName: 'Another CA' });
  await assert.rejects(fetchIssuerKeys({ iss: issuer.iss, ca: { pem: otherCa.certPem } }), code('ERR_ISSUER_TLS'));
  await assert.rejects(fetchIssuerKeys({ iss: issuer.iss, ca: 'system' }), code('ERR_ISSUER_TLS'));
  // a TLS server whose discovery names another issuer, or points its keys at another host
  let disc: Record<string, unknown> = {};
  const { server, origin } = await startTlsServer(issuer.ca, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(disc));
  });
  closers.push(() => new Promise((r) => server.close(() => r())));
  const pin = { pem: issuer.ca.certPem };
  disc = { issuer: 'https://accounts.google.com', jwks_uri: `${origin}/jwks` };
  await assert.rejects(fetchIssuerKeys({ iss: origin, ca: pin }), code('ERR_ISSUER_DISCOVERY'));
  disc = { issuer: origin, jwks_uri: `https://localhost:${new URL(origin).port}/jwks` };
  await assert.rejects(fetchIssuerKeys({ iss: origin, ca: pin }), code('ERR_OBSERVATION_JWKS_HOST'));
  await assert.rejects(observer().observe('https://unknown.example'), code('ERR_ISSUER_UNKNOWN'));
});

test('routes: observations on demand (rate-limited per issuer) and the latest round', async () => {
  const o = observer();
  const app = await buildEnclaveApp({ producer, channel: await generateChannelKey(), keyObserver: o });
  try {
    const first = await app.inject({ method: 'POST', url: '/identity/v1/key-observations', payload: { iss: issuer.iss } });
    assert.equal(first.statusCode, 200, first.body);
    const { observations } = first.json() as { observations: KeyObservation[] };
    assert.ok(observations.length >= 1);
    for (const obs of observations) await verifyKeyObservation(obs, trust);
    clock += 1000;
    const again = await app.inject({ method: 'POST', url: '/identity/v1/key-observations', payload: { iss: issuer.iss } });
    assert.deepEqual(again.json(), first.json(), 'within a minute the last round is returned');
    const latest = await app.inject({ url: `/identity/v1/key-observations?iss=${encodeURIComponent(issuer.iss)}` });
    assert.deepEqual(latest.json(), first.json());
    assert.equal((await app.inject({ method: 'POST', url: '/identity/v1/key-observations', payload: { iss: 'https://elsewhere.example' } })).json().error.code, 'ERR_ISSUER_UNKNOWN');
    for (const payload of [{}, { iss: 'http://127.0.0.1/' }, { iss: issuer.iss, x: 1 }]) {
      const r = await app.inject({ method: 'POST', url: '/identity/v1/key-observations', payload });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error.code, 'ERR_REQUEST_MALFORMED');
    }
  } finally {
    await app.close();
  }
});

test('schedule: start observes every issuer without holding up the caller, and reports failures', async () => {
  const o = createKeyObserver({ sign: (f) => signKeyObservation(signer, f, root), issuers: [pinned(), { iss: 'https://127.0.0.1:1/nobody', ca: 'system' }], now: () => clock });
  assert.throws(() => o.start(1000, () => {}), TypeError);
  const errors: Array<[string, string]> = [];
  const failed = new Promise<void>((r) => o.start(60_000, (iss, e) => { errors.push([iss, (e as { code?: string }).code ?? '']); r(); }));
  try {
    assert.deepEqual(o.latest(), [], 'start returns before the first round');
    await failed;
    assert.deepEqual(errors, [['https://127.0.0.1:1/nobody', 'ERR_ISSUER_CONNECTION']]);
    await o.observe(issuer.iss); // joins the scheduled round or returns it
    assert.ok(o.latest(issuer.iss).length >= 1);
  } finally {
    o.stop();
  }
});
