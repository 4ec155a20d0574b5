// The non-proof checks behind a post's badge, with real Ed25519 signatures. The membership proof
// itself is verified by @veil/prover (its own tests, and the e2e test in a browser); here the proof
// verifier must never be reached when an earlier check fails, and receives the registry's key and
// the configured issuer's expectations when they pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodePost, generateMessageId, signPayload, VeilError } from '@veil/crypto';
import type { IssuerInfo, IssuerKey, MessageDetail } from '@veil/server/schemas';
import { verifyPost, type IssuerKeysFetcher, type MembershipVerifier } from '../src/app/verify-post.ts';
import { toHex } from '../src/app/hex.ts';

const sk = ed25519.utils.randomSecretKey();
const epk = toHex(ed25519.getPublicKey(sk));
const ISS = 'http://127.0.0.1:8080/dev-issuer';
const issuers: IssuerInfo[] = [{ id: 'dev', kind: 'dev', iss: ISS, aud: 'veil-dev', variant: 'oidc', provable: true, authorizationEndpoint: `${ISS}/auth`, label: 'Dev' }];
const key: IssuerKey = { iss: ISS, kid: 'k1', jwk: { kty: 'RSA', kid: 'k1', n: 'AQAB-modulus', e: 'AQAB' }, firstSeen: 1, lastSeen: 2 };
const now = Date.now();

function detail(over: { text?: string; group?: string; claims?: Partial<MessageDetail['membership']['bundle']['claims']>; issuerKey?: IssuerKey } = {}): MessageDetail {
  const message = { v: 1 as const, id: generateMessageId(), group: 'acme.test', internal: false, text: 'hello', createdAt: now, epk };
  const signature = signPayload(encodePost(message), sk);
  const claims = { iss: ISS, aud: 'veil-dev', domain: 'acme.test', epk, expiry: Math.floor(now / 1000) + 3600, kid: 'k1', ...over.claims };
  return {
    message: { ...message, text: over.text ?? message.text, group: over.group ?? message.group },
    signature,
    likes: 0,
    receivedAt: now,
    membership: { epk, group: claims.domain, iss: claims.iss, kid: claims.kid, expiry: claims.expiry, circuitId: 'c', createdAt: now, bundle: { v: 1, circuit: { name: 'membership', id: 'c' }, crs: { id: 'test-x', kind: 'test' }, claims, proof: 'AAAA' } },
    issuerKey: over.issuerKey ?? key,
    issuerKeyObservations: [],
  };
}

/** The issuer's own JWKS as the browser would read it: here it publishes the registry's key. */
const publishes: IssuerKeysFetcher = async () => ({ keys: [key.jwk] });

const unreachable: MembershipVerifier = async () => {
  throw new Error('the proof verifier must not be reached');
};

async function code(d: MessageDetail): Promise<string> {
  const v = await verifyPost(d, { registry: [key], issuers, verifyMembership: unreachable, issuerKeys: publishes });
  assert.equal(v.ok, false);
  return (v as { code: string }).code;
}

test('text altered after signing fails the signature check', async () => {
  assert.equal(await code(detail({ text: 'hello!' })), 'ERR_SIGNATURE_INVALID');
});

test('a post moved to another group fails the signature check', async () => {
  assert.equal(await code(detail({ group: 'globex.test' })), 'ERR_SIGNATURE_INVALID');
});

test('a membership proof for another key or group is refused', async () => {
  assert.equal(await code(detail({ claims: { epk: '00'.repeat(32) } })), 'ERR_MEMBERSHIP_EPK');
  assert.equal(await code(detail({ claims: { domain: 'globex.test' } })), 'ERR_MEMBERSHIP_GROUP');
});

test('an issuer or audience not configured here is refused', async () => {
  assert.equal(await code(detail({ claims: { iss: 'https://evil.example' } })), 'ERR_ISSUER_UNKNOWN');
  assert.equal(await code(detail({ claims: { aud: 'other-client' } })), 'ERR_ISSUER_UNKNOWN');
});

test('a key missing from the registry, or differing from it, is refused', async () => {
  assert.equal(await code(detail({ claims: { kid: 'k2' } })), 'ERR_ISSUER_KEY_UNKNOWN');
  assert.equal(await code(detail({ issuerKey: { ...key, jwk: { ...key.jwk, n: 'forged' } } })), 'ERR_ISSUER_KEY_MISMATCH');
});

test('a post written after the membership expired is refused', async () => {
  assert.equal(await code(detail({ claims: { expiry: Math.floor(now / 1000) - 1 } })), 'ERR_MEMBERSHIP_EXPIRED');
});

test('the proof verifier gets the registry key and the configured expectations; its error becomes the verdict', async () => {
  const calls: unknown[] = [];
  const d = detail();
  const rejecting: MembershipVerifier = async (bundle, jwks, expect) => {
    calls.push({ bundle, jwks, expect });
    throw new VeilError('ERR_PROOF_INVALID', 'proof does not verify');
  };
  const v = await verifyPost(d, { registry: [key], issuers, verifyMembership: rejecting, issuerKeys: publishes });
  assert.deepEqual(v, { ok: false, code: 'ERR_PROOF_INVALID', reason: 'proof does not verify' });
  assert.deepEqual(calls, [{ bundle: d.membership.bundle, jwks: { keys: [key.jwk] }, expect: { iss: ISS, aud: 'veil-dev', domain: 'acme.test', variant: 'oidc' } }]);
  const accepting: MembershipVerifier = async () => ({});
  assert.deepEqual(await verifyPost(d, { registry: [key], issuers, verifyMembership: accepting, issuerKeys: publishes }), { ok: true, keySource: 'issuer' });
});

test('issue 8, finding 2: a key the issuer does not publish (or an unreachable issuer) is amber, a different one red', async () => {
  const accepting: MembershipVerifier = async () => ({});
  const d = detail();
  const run = (issuerKeys: IssuerKeysFetcher, verifyMembership: MembershipVerifier = accepting) => verifyPost(d, { registry: [key], issuers, verifyMembership, issuerKeys });
  const other = { ...key.jwk, n: 'another-modulus' };
  const notPublished = await run(async () => ({ keys: [{ ...other, kid: 'k9' }] }));
  assert.equal(notPublished.ok && notPublished.keySource, 'server');
  const down = await run(async () => ({ error: 'unreachable (fetch failed)' }));
  assert.equal(down.ok && down.keySource, 'server');
  assert.match((down as { reason: string }).reason, /could not be read/);
  assert.deepEqual(await run(async () => ({ keys: [other] }), unreachable), { ok: false, code: 'ERR_ISSUER_KEY_MISMATCH', reason: 'the issuer publishes a different key under this kid' });
  // amber never hides a failure: the proof is still checked
  const bad: MembershipVerifier = async () => { throw new VeilError('ERR_PROOF_INVALID', 'no'); };
  assert.equal((await run(async () => ({ keys: [] }), bad)).ok, false);
});

test('strict Ed25519 (issue 8, finding 1): small-order keys and R, in every encoding, get a red badge', async () => {
  const { BAD_POINTS, forgeForSmallOrderKey, signWithR } = await import('../../crypto/test/helpers/ed25519-adversary.ts');
  const base = detail();
  const skHex = toHex(sk);
  for (const p of BAD_POINTS) {
    // a small-order key A: the R = identity, S = 0 forgery (valid under OpenSSL's rule)
    const msg = (i: number) => ({ ...base.message, text: `forged ${i}`, epk: p.hex });
    const forged = forgeForSmallOrderKey(p.hex, (i) => encodePost(msg(i)));
    const claims = { ...base.membership.bundle.claims, epk: p.hex };
    const d: MessageDetail = { ...base, message: msg(forged.attempt), signature: forged.signature, membership: { ...base.membership, epk: p.hex, bundle: { ...base.membership.bundle, claims } } };
    assert.equal(await code(d), 'ERR_SIGNATURE_INVALID', p.label);
    // a small-order R from the key's owner, with S making the bare equation hold for R = identity
    assert.equal(await code({ ...base, signature: signWithR(skHex, p.hex, encodePost(base.message)) }), 'ERR_SIGNATURE_INVALID', p.label);
  }
});

test('entra: a tenant member\'s post verifies with the key registered under the multi-tenant template issuer', async () => {
  const { ENTRA_CONSUMER_TENANT, ENTRA_ISS_TEMPLATE } = await import('@veil/crypto');
  const TID = '4f7c1e2a-93b5-4d0e-8a6f-2b1c9d3e5f70';
  const OTHER = '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b';
  const tenantIss = (t: string) => `https://login.microsoftonline.com/${t}/v2.0`;
  const ms: IssuerInfo = { id: 'microsoft', kind: 'microsoft', iss: ENTRA_ISS_TEMPLATE, aud: 'app-id', variant: 'entra', provable: true, authorizationEndpoint: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize', label: 'Microsoft' };
  const template: IssuerKey = { ...key, iss: ENTRA_ISS_TEMPLATE };
  /** A post to group `tid` by a membership whose proof names `iss`. */
  const post = (tid: string, iss = tenantIss(tid), issuerKey = template) => {
    const message = { v: 1 as const, id: generateMessageId(), group: tid, internal: false, text: 'hello tenant', createdAt: now, epk };
    const claims = { iss, aud: 'app-id', domain: tid, epk, expiry: Math.floor(now / 1000) + 3600, kid: 'k1' };
    return {
      message, signature: signPayload(encodePost(message), sk), likes: 0, receivedAt: now, issuerKey,
      membership: { epk, group: tid, iss, kid: 'k1', expiry: claims.expiry, circuitId: 'c', createdAt: now, bundle: { v: 1, circuit: { name: 'membership-entra', id: 'c' }, variant: 'entra', crs: { id: 'test-x', kind: 'test' }, claims, proof: 'AAAA' } },
    } as MessageDetail;
  };
  const asked: string[] = [];
  const calls: unknown[] = [];
  const run = (d: MessageDetail, configured: IssuerInfo[] = [ms, ...issuers], registry = [template, key]) => verifyPost(d, {
    registry, issuers: configured,
    verifyMembership: async (_b, jwks, expect) => void calls.push({ jwks, expect }),
    issuerKeys: async (iss) => (asked.push(iss), { keys: [key.jwk] }),
  });
  assert.deepEqual(await run(post(TID)), { ok: true, keySource: 'issuer' });
  // the proof is checked against its own tenant's iss, and the tenant's own discovery is asked
  assert.deepEqual(calls, [{ jwks: { keys: [key.jwk] }, expect: { iss: tenantIss(TID), aud: 'app-id', domain: TID, variant: 'entra' } }]);
  assert.deepEqual(asked, [tenantIss(TID)]);
  calls.length = 0;
  const verdict = async (d: MessageDetail, configured?: IssuerInfo[], registry?: IssuerKey[]) => {
    const v = await run(d, configured, registry);
    return v.ok ? 'ok' : v.code;
  };
  // a tenant not in the allow-list; the consumer tenant; an iss of another tenant than the group
  assert.equal(await verdict(post(OTHER), [{ ...ms, tenants: [TID] }]), 'ERR_ISSUER_UNKNOWN');
  assert.equal(await verdict(post(TID), [{ ...ms, tenants: [TID] }]), 'ok');
  assert.equal(await verdict(post(ENTRA_CONSUMER_TENANT)), 'ERR_ISSUER_UNKNOWN');
  assert.equal(await verdict(post(TID, tenantIss(OTHER))), 'ERR_ISSUER_KEY_MISMATCH');
  // the template's key presented for a non-Microsoft issuer, and for a board with no multi-tenant issuer
  assert.equal(await verdict(detail({ issuerKey: template })), 'ERR_ISSUER_KEY_MISMATCH');
  assert.equal(await verdict(detail({ issuerKey: template }), undefined, [template]), 'ERR_ISSUER_KEY_UNKNOWN');
  assert.equal(await verdict(post(TID), issuers), 'ERR_ISSUER_UNKNOWN');
  // a key registered under the tenant's own iss is not the multi-tenant issuer's
  const tenantKey = { ...key, iss: tenantIss(TID) };
  assert.equal(await verdict(post(TID, tenantIss(TID), tenantKey), undefined, [tenantKey]), 'ERR_ISSUER_KEY_UNKNOWN');
  assert.deepEqual(calls, [{ jwks: { keys: [key.jwk] }, expect: { iss: tenantIss(TID), aud: 'app-id', domain: TID, variant: 'entra' } }]);
});
