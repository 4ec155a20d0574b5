// The browser's badge for a key the issuer rotated away (issue 12 item 4): verifyPost with the very
// observation verifier the worker uses (verifyKeyObservation, measurements pinned in the build),
// on real observations signed by the identity service's attested (simulated) claims key. Green
// "observed" only for a valid observation of exactly this key from a pinned build; anything else
// stays amber, naming why each observation was refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { encodePost, generateMessageId, signPayload } from '@veil/crypto';
import { signKeyObservationWith, type KeyObservation } from '@veil/crypto/key-observation';
import { generateChannelKey } from '@veil/identity';
import { createClaimsSigner, type ClaimsSigner } from '@veil/identity/enroll';
import { signKeyObservation, verifyKeyObservation } from '@veil/identity/key-history';
import type { IssuerInfo, IssuerKey, MessageDetail } from '@veil/server/schemas';
import { verifyPost, type IssuerKeysFetcher, type ObservationVerifier } from '../src/app/verify-post.ts';
import { toHex } from '../src/app/hex.ts';

const M = 'ab'.repeat(32);
const ISS = 'https://login.acme.test';
const issuers: IssuerInfo[] = [{ id: 'acme', kind: 'oidc', iss: ISS, aud: 'veil', variant: 'oidc', provable: true, authorizationEndpoint: `${ISS}/auth`, label: 'Acme' }];
const key: IssuerKey = { iss: ISS, kid: 'old', jwk: { kty: 'RSA', kid: 'old', n: 'b2xkLW1vZHVsdXM', e: 'AQAB' }, firstSeen: 1, lastSeen: 2 };
const sk = ed25519.utils.randomSecretKey();
const epk = toHex(ed25519.getPublicKey(sk));
const now = Date.now();
let dir: string;
let signer: ClaimsSigner;
let root: Uint8Array;
let obs: KeyObservation;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'veil-web-keyobs-'));
  const producer = await createSimulationProducer({ dataDir: dir, measurement: M });
  root = producer.rootPublicKey;
  signer = await createClaimsSigner(producer, (await generateChannelKey()).publicKey);
  obs = signKeyObservation(signer, { iss: ISS, jwks_uri: `${ISS}/jwks`, kid: 'old', n: key.jwk.n!, e: key.jwk.e!, observed_at: Math.floor(now / 1000) - 86_400 }, root);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function detail(observations: unknown[]): MessageDetail {
  const message = { v: 1 as const, id: generateMessageId(), group: 'acme.test', internal: false, text: 'hello', createdAt: now, epk };
  const claims = { iss: ISS, aud: 'veil', domain: 'acme.test', epk, expiry: Math.floor(now / 1000) + 3600, kid: 'old' };
  return {
    message, signature: signPayload(encodePost(message), toHex(sk)), likes: 0, receivedAt: now,
    membership: { epk, group: 'acme.test', iss: ISS, kid: 'old', expiry: claims.expiry, circuitId: 'c', createdAt: now, bundle: { v: 1, circuit: { name: 'membership', id: 'c' }, crs: { id: 'test-x', kind: 'test' }, claims, proof: 'AAAA' } },
    issuerKey: key, issuerKeyObservations: observations as MessageDetail['issuerKeyObservations'],
  };
}
// The worker's verifier (verify.worker.ts), with the pins as arguments.
const verifier = (measurements: string[], allowSimulation: boolean): ObservationVerifier => async (o, k) => {
  const v = await verifyKeyObservation(o, { measurements, allowSimulation }, k);
  return { observedAt: v.observation.observed_at, jwksUri: v.observation.jwks_uri, measurement: v.measurement, simulated: v.simulated };
};
const rotated: IssuerKeysFetcher = async () => ({ keys: [{ kty: 'RSA', kid: 'new', n: 'bmV3', e: 'AQAB' }] });
const run = (observations: unknown[], o: { measurements?: string[]; allowSimulation?: boolean; issuerKeys?: IssuerKeysFetcher } = {}) =>
  verifyPost(detail(observations), {
    registry: [key], issuers, verifyMembership: async () => ({}), issuerKeys: o.issuerKeys ?? rotated,
    verifyObservation: verifier(o.measurements ?? [M], o.allowSimulation ?? true),
  });

test('a rotated-away key with a valid observation from a pinned build: green, keySource notarised-observation', async () => {
  const v = await run([obs]);
  assert.equal(v.ok && v.keySource, 'notarised-observation');
  assert.match((v as { reason: string }).reason, /^key observed at https:\/\/login\.acme\.test\/jwks on .* \(measurement abababababababab…, SIMULATED attestation\); the issuer does not publish key old/);
  // a key the issuer still publishes needs no observation
  assert.deepEqual(await run([obs], { issuerKeys: async () => ({ keys: [key.jwk] }) }), { ok: true, keySource: 'issuer' });
});

test('amber, with the reasons, for observations from another build, simulated ones when not allowed, forged, mismatched or off-host', async () => {
  const reason = async (observations: unknown[], o: Parameters<typeof run>[1] = {}) => {
    const v = await run(observations, o);
    assert.equal(v.ok && v.keySource, 'server');
    return (v as { reason: string }).reason;
  };
  assert.match(await reason([obs], { measurements: ['cd'.repeat(32)] }), /1 observation refused \(ERR_MEASUREMENT_MISMATCH\)$/);
  assert.match(await reason([obs], { allowSimulation: false }), /\(ERR_SIMULATION_NOT_ALLOWED\)$/);
  const forged = { ...obs, signature: (obs.signature[0] === '0' ? '1' : '0') + obs.signature.slice(1) };
  const otherKid = signKeyObservation(signer, { ...obs, kid: 'new' }, root);
  const otherModulus = signKeyObservation(signer, { ...obs, n: 'YW5vdGhlcg' }, root);
  const otherIss = signKeyObservation(signer, { ...obs, iss: 'https://login.other.test', jwks_uri: 'https://login.other.test/jwks' }, root);
  const offHost = signKeyObservationWith({ ...obs, jwks_uri: 'https://cdn.elsewhere.test/jwks' }, obs.signer, signer.sign);
  assert.match(await reason([forged, otherKid, otherModulus, otherIss, offHost]), /5 observations refused \(ERR_OBSERVATION_SIGNATURE_INVALID, ERR_OBSERVATION_MISMATCH, ERR_OBSERVATION_JWKS_HOST\)$/);
  assert.doesNotMatch(await reason([]), /refused/);
});

test('the pins: measurements from VEIL_OBSERVER_MEASUREMENTS, simulation only when the build says so', async () => {
  const { pinnedObservers } = await import('../src/pinned-observers.ts');
  assert.deepEqual(await pinnedObservers({ VEIL_OBSERVER_MEASUREMENTS: ` ${M.toUpperCase()}, ${'cd'.repeat(32)}` }), { measurements: [M, 'cd'.repeat(32)], allowSimulation: false });
  assert.deepEqual(await pinnedObservers({ VEIL_OBSERVER_MEASUREMENTS: M, VEIL_OBSERVER_ALLOW_SIMULATION: '1' }), { measurements: [M], allowSimulation: true });
  await assert.rejects(pinnedObservers({ VEIL_OBSERVER_MEASUREMENTS: 'abc' }), /not 32 bytes of hex/);
});
