// Notarised key observations in the board's registry, on the storage under test (SQLite; PostgreSQL
// under test:pg): the board collects them from an identity service over HTTP, stores the newest per
// key and observer, serves them in /api/keys, and refuses — with a code, storing nothing — every
// observation that is malformed, unsigned, forged, off the issuer's host, of a key it does not hold,
// of another modulus or exponent, or dated in the future. The board does not judge TEE evidence
// (verifiers do, against the measurements they pin), so the observer here signs with a plain key
// and attaches opaque evidence: exactly what a hostile observer could send.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, isVeilError } from '@veil/crypto';
import { signKeyObservationWith, type KeyObservationFact } from '@veil/crypto/key-observation';
import { checkKeyObservation, collectKeyObservations } from '../../src/lib/key-observations.ts';
import { makeFixture, type Fixture } from '../app-fixture.ts';
import { rawQuery } from '../helpers.ts';

let f: Fixture;
let server: Server;
let from: string;
let answer: unknown[] = [];
const sk = ed25519.utils.randomSecretKey();
const signerBlock = { publicKey: bytesToHex(ed25519.getPublicKey(sk)), channelPublicKey: '11'.repeat(32), evidenceType: 'simulation' as const, evidence: 'b3BhcXVl' };
const sign = (fact: KeyObservationFact, block = signerBlock) => signKeyObservationWith(fact, block, (m) => ed25519.sign(m, sk));

before(async () => {
  f = await makeFixture();
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ v: 1, observations: answer }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  from = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await f.close();
});

const fact = (over: Partial<KeyObservationFact> = {}): KeyObservationFact => {
  const k = f.issuer.keys[0]!;
  return { iss: f.issuer.iss, jwks_uri: `${f.issuer.iss}/jwks`, kid: k.kid, n: k.n, e: k.e, observed_at: Math.floor(f.clock.t / 1000) - 60, ...over };
};
const count = async () => Number((await rawQuery(f.storage, 'SELECT count(*) AS n FROM issuer_key_observations'))[0]!.n);
const code = (c: string) => (e: unknown) => isVeilError(e, c) || assert.fail(`expected ${c}, got ${String((e as { code?: string }).code ?? e)}`);

test('collected observations are stored (newest per key and observer) and served in /api/keys', async () => {
  const first = sign(fact());
  answer = [first];
  assert.deepEqual(await collectKeyObservations({ storage: f.storage, from, iss: f.issuer.iss, now: () => f.clock.t }), { stored: 1, refused: [] });
  const newer = sign(fact({ observed_at: first.observed_at + 30 }));
  answer = [newer];
  assert.equal((await collectKeyObservations({ storage: f.storage, from, iss: f.issuer.iss, now: () => f.clock.t })).stored, 1);
  answer = [first];
  assert.equal((await collectKeyObservations({ storage: f.storage, from, iss: f.issuer.iss, now: () => f.clock.t })).stored, 0, 'an older one does not replace a newer');
  const r = (await f.app.inject({ url: `/api/keys?iss=${encodeURIComponent(f.issuer.iss)}` })).json();
  assert.deepEqual(r.observations, [newer]);
  assert.deepEqual((await f.app.inject({ url: '/api/keys?iss=https://nobody.test' })).json().observations, []);
  assert.equal(await count(), 1);
});

test('the board refuses malformed, unsigned, forged, off-host, unknown, mismatched and future observations with codes', async () => {
  const good = sign(fact());
  const now = f.clock.t;
  const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  const { signature: _s, ...unsigned } = good;
  const cases: Array<[unknown, string]> = [
    [unsigned, 'ERR_OBSERVATION_UNSIGNED'],
    [{ ...good, v: 2 }, 'ERR_OBSERVATION_MALFORMED'],
    [{ ...good, signer: { ...good.signer, evidence: 'a\u0000' } }, 'ERR_OBSERVATION_MALFORMED'],
    [{ ...good, kid: 'k\u00001' }, 'ERR_OBSERVATION_MALFORMED'],
    [{ ...good, signature: (good.signature[0] === '0' ? '1' : '0') + good.signature.slice(1) }, 'ERR_OBSERVATION_SIGNATURE_INVALID'],
    [{ ...good, n: flip(good.n) }, 'ERR_OBSERVATION_SIGNATURE_INVALID'],
    [sign(fact({ jwks_uri: 'https://keys.elsewhere.test/jwks' })), 'ERR_OBSERVATION_JWKS_HOST'],
    [sign(fact({ kid: 'invented' })), 'ERR_ISSUER_KEY_UNKNOWN'],
    [sign(fact({ iss: 'https://other.test', jwks_uri: 'https://other.test/jwks' })), 'ERR_ISSUER_KEY_UNKNOWN'],
    [sign(fact({ n: flip(good.n) })), 'ERR_OBSERVATION_MISMATCH'],
    [sign(fact({ e: 'AQAA' })), 'ERR_OBSERVATION_MISMATCH'],
    [sign(fact({ observed_at: Math.floor(now / 1000) + 3600 })), 'ERR_OBSERVATION_TIME'],
  ];
  const before = await count();
  for (const [input, c] of cases) await assert.rejects(checkKeyObservation(f.storage, input, now), code(c));
  answer = cases.map(([i]) => i);
  const r = await collectKeyObservations({ storage: f.storage, from, iss: f.issuer.iss, now: () => now });
  assert.equal(r.stored, 0);
  assert.deepEqual(r.refused.map((x) => x.code), cases.map(([, c]) => c));
  assert.equal(await count(), before, 'nothing stored');
  answer = [{ deep: new Array(10).fill(0) }];
  assert.deepEqual((await collectKeyObservations({ storage: f.storage, from, iss: f.issuer.iss, now: () => now })).refused, [{ code: 'ERR_OBSERVATION_MALFORMED' }]);
});

test('an observer that cannot be reached or answers garbage is ERR_OBSERVER_UNREACHABLE', async () => {
  await assert.rejects(collectKeyObservations({ storage: f.storage, from: 'http://127.0.0.1:1', iss: f.issuer.iss, now: () => f.clock.t }), code('ERR_OBSERVER_UNREACHABLE'));
  answer = new Array(300).fill({});
  await assert.rejects(collectKeyObservations({ storage: f.storage, from, iss: f.issuer.iss, now: () => f.clock.t }), code('ERR_OBSERVER_UNREACHABLE'));
});

test('the registry asks for observations after each refresh of an issuer', async () => {
  const { KeyRegistry } = await import('@veil/server');
  const seen: string[] = [];
  const reg = new KeyRegistry({ storage: f.storage, issuers: [{ iss: f.issuer.iss, jwks: { file: f.issuer.file } }], now: () => f.clock.t, onRefreshed: (iss) => seen.push(iss) });
  await reg.refresh(f.issuer.iss);
  assert.deepEqual(seen, [f.issuer.iss]);
});
