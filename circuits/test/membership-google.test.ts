/**
 * The Google Workspace membership circuit (circuits/membership-google) executed with noir_js (witness
 * only): the group is the top-level `hd` claim, byte for byte. Negatives with the TypeScript
 * pre-checks off (buildInputs `unchecked`), so only the circuit stands between the token and a
 * witness: no hd, another hd, hd a suffix or prefix of the domain (and the domain a prefix of hd),
 * hd nested, email_verified not true, and a malicious prover pointing hd at another string.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Noir } from '@noir-lang/noir_js';
import { CIRCUITS_DIR, compileCrate } from '../scripts/build.ts';
import { mintGoogleToken } from '../../packages/crypto/test/fixtures/tokens.ts';
import { buildInputs, generateEphemeralKey } from '../../packages/crypto/src/index.ts';
import type { GoogleMembershipInputs, GooglePositions } from '../../packages/crypto/src/build-inputs.ts';
import { base64urlDecode } from '../../packages/crypto/src/lib/base64url.ts';
import { headerTamperings, payloadOffset } from './lib/public-header.ts';

let program: Awaited<ReturnType<typeof compileCrate>>;
const { publicKey: epk } = generateEphemeralKey();
const salt = 0x5eed_1234n;
const expiry = 1767225600;

before(async () => {
  program = await compileCrate(CIRCUITS_DIR, 'membership-google');
});

const run = (inputs: GoogleMembershipInputs) => new Noir(program as unknown as ConstructorParameters<typeof Noir>[0]).execute(inputs as never);
const google = async (claims: Record<string, unknown> = {}, domain?: string) => {
  const m = await mintGoogleToken({ epk, salt, expiry, claims });
  return buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'google', unchecked: true, ...(domain !== undefined ? { domain } : {}) });
};

test('google: a Workspace token satisfies the circuit for its hd, also when the email is on a secondary domain', async () => {
  const { inputs, publicClaims } = await google();
  assert.equal(publicClaims.domain, 'acme.com');
  await run(inputs);
  const secondary = await google({ email: 'alice@acme-secondary.example' }, 'acme.com');
  await run(secondary.inputs);
  // The checked path agrees: buildInputs with the pre-checks on gives the same inputs.
  const m = await mintGoogleToken({ epk, salt, expiry });
  await run((await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'google' })).inputs);
});

test('google: no hd, another hd, hd a suffix or prefix of the domain, the domain a prefix of hd: refused', async () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['no hd (consumer account with an @acme.com address)', { hd: undefined }, 'acme.com'],
    ['another hd', { hd: 'other.example' }, 'acme.com'],
    ['hd a suffix of the domain', { hd: 'cme.com' }, 'acme.com'],
    ['hd a prefix of the domain', { hd: 'acme.co' }, 'acme.com'],
    ['the domain a prefix of hd', { hd: 'acme.com.evil' }, 'acme.com'],
    ['the domain a suffix of hd', { hd: 'xacme.com' }, 'acme.com'],
    ['hd only nested', { hd: undefined, org: { hd: 'acme.com' } }, 'acme.com'],
    ['hd not a string', { hd: ['acme.com'] }, 'acme.com'],
    ['email_verified false', { email_verified: false }, 'acme.com'],
  ];
  for (const [what, claims, domain] of cases) {
    const { inputs } = await google(claims, domain);
    await assert.rejects(run(inputs), Error, what);
  }
});

test('google: a malicious prover cannot point hd at another string holding the domain', async () => {
  // hd is other.example; "acme.com" is the whole value of the top-level "name" claim.
  const m = await mintGoogleToken({ epk, salt, expiry, claims: { hd: 'other.example', name: 'acme.com' } });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'google', unchecked: true, domain: 'acme.com' });
  await assert.rejects(run(inputs), Error, 'honest positions');
  const base = payloadOffset(inputs);
  const payload = new TextDecoder().decode(base64urlDecode(m.token.split('.')[1]!));
  const nameKey = base + payload.indexOf('"name"');
  const nameVal = base + payload.indexOf('"acme.com"');
  const edits: Array<[string, (x: GooglePositions) => void]> = [
    ['hd_val at the name value', (x) => { x.hd_val = nameVal; }],
    ['hd_key and hd_val at the name claim', (x) => { x.hd_key = nameKey; x.hd_val = nameVal; }],
  ];
  for (const [what, edit] of edits) {
    const bad = structuredClone(inputs);
    edit(bad.positions as GooglePositions);
    await assert.rejects(run(bad), Error, what);
  }
});

test('google: hd pointed at a nested "hd" key (not top-level) is refused', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry, claims: { hd: undefined, org: { hd: 'acme.com' } } });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'google', unchecked: true, domain: 'acme.com' });
  const base = payloadOffset(inputs);
  const payload = new TextDecoder().decode(base64urlDecode(m.token.split('.')[1]!));
  inputs.positions.hd_key = base + payload.indexOf('"hd"');
  inputs.positions.hd_val = base + payload.indexOf('"acme.com"');
  await assert.rejects(run(inputs), /json/);
});

test('google: the public header must be the signed one (another kid or alg in the bundle, a changed state, tail or length: refused)', async () => {
  const m = await mintGoogleToken({ epk, salt, expiry });
  const { inputs } = await buildInputs(m.token, m.jwk, epk, salt, expiry, { variant: 'google' });
  await run(inputs);
  for (const [what, bad, why] of headerTamperings(inputs, m.token)) await assert.rejects(run(bad), why ?? Error, what);
});
