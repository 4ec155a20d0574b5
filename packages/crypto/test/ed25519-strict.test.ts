// Veil's strict Ed25519 rule (src/ed25519-strict.ts) against every small-order point and every
// non-canonical encoding of one, as the public key A and as R; the R = identity, S = 0 forgery; and
// agreement with node:crypto (OpenSSL) wherever OpenSSL's own rule is already strict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { aEd25519PublicKey, aEd25519Signature, encodePost, isVeilError, signPayload, SMALL_ORDER_POINTS, verifySignature, type Post } from '@veil/crypto';
import { BAD_POINTS, IDENTITY, forgeForSmallOrderKey, signMixedOrderR, signWithR } from './helpers/ed25519-adversary.ts';

const SK = '9d'.repeat(32);
const EPK = bytesToHex(ed25519.getPublicKey(hexToBytes(SK)));
const post = (text: string, epk = EPK): Post => ({ v: 1, id: '00112233445566778899aabbccddeeff', group: 'acme.test', internal: false, text, createdAt: 1_767_225_600_000, epk });
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const openssl = (payload: Uint8Array, sig: string, pk: string) =>
  nodeVerify(null, payload, createPublicKey({ key: Buffer.concat([SPKI, Buffer.from(pk, 'hex')]), format: 'der', type: 'spki' }), Buffer.from(sig, 'hex'));

test('the adversarial set: 8 distinct small-order points and 6 non-canonical encodings of them', () => {
  const canonical = BAD_POINTS.filter((p) => p.canonical);
  assert.equal(canonical.length, 8);
  assert.deepEqual([...canonical.map((p) => p.hex)].sort(), [...SMALL_ORDER_POINTS].sort());
  assert.deepEqual(canonical.map((p) => p.order).sort(), [1, 2, 4, 4, 8, 8, 8, 8]);
  const nonCanonical = BAD_POINTS.filter((p) => !p.canonical);
  assert.equal(nonCanonical.length, 6);
  for (const p of nonCanonical) {
    const pt = ed25519.Point.fromBytes(hexToBytes(p.hex), true); // ZIP-215 decoding accepts them
    assert.ok(SMALL_ORDER_POINTS.includes(bytesToHex(pt.toBytes())), p.label);
    assert.throws(() => ed25519.Point.fromBytes(hexToBytes(p.hex), false), p.label);
  }
});

test('every small-order or non-canonical public key is refused (ERR_EPK_INVALID), honest keys pass', () => {
  for (const p of BAD_POINTS) {
    assert.throws(() => aEd25519PublicKey(hexToBytes(p.hex)), (e) => isVeilError(e, 'ERR_EPK_INVALID'), p.label);
  }
  assert.throws(() => aEd25519PublicKey(hexToBytes('02' + '00'.repeat(31))), (e) => isVeilError(e, 'ERR_EPK_INVALID')); // y = 2: no x
  assert.throws(() => aEd25519PublicKey(new Uint8Array(31)), (e) => isVeilError(e, 'ERR_EPK_INVALID'));
  for (let i = 0; i < 32; i++) aEd25519PublicKey(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
});

test('R = identity, S = 0 forges a signature for every small-order key under OpenSSL; verifySignature refuses all', () => {
  for (const p of BAD_POINTS) {
    const { attempt, signature } = forgeForSmallOrderKey(p.hex, (i) => encodePost(post(`forged ${i}`, p.hex)));
    const payload = encodePost(post(`forged ${attempt}`, p.hex));
    assert.equal(openssl(payload, signature, p.hex), true, `OpenSSL accepts the forgery for ${p.label}`);
    assert.throws(() => verifySignature(payload, signature, p.hex), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'), p.label);
  }
});

test('every small-order or non-canonical R is refused, also when the owner makes the equation hold', () => {
  const payload = encodePost(post('chosen R'));
  for (const p of BAD_POINTS) {
    const sig = signWithR(SK, p.hex, payload);
    assert.throws(() => aEd25519Signature(hexToBytes(sig)), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'), p.label);
    assert.throws(() => verifySignature(payload, sig, EPK), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'), p.label);
  }
  // R = identity with S = k·a satisfies the bare equation: OpenSSL and a cofactored verifier accept it
  const idSig = signWithR(SK, IDENTITY, payload);
  assert.equal(openssl(payload, idSig, EPK), true);
  assert.equal(ed25519.verify(hexToBytes(idSig), payload, hexToBytes(EPK), { zip215: false }), true);
});

test('S ≥ L is refused; a mixed-order R passes a cofactored verifier but not Veil (nor OpenSSL)', () => {
  const payload = encodePost(post('s and cofactor'));
  const sig = signPayload(payload, SK);
  const L = ed25519.Point.Fn.ORDER;
  const s = BigInt(`0x${bytesToHex(hexToBytes(sig.slice(64)).reverse())}`) + L;
  const sPlusL = sig.slice(0, 64) + bytesToHex(hexToBytes(s.toString(16).padStart(64, '0')).reverse());
  assert.throws(() => verifySignature(payload, sPlusL, EPK), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'));
  const mixed = signMixedOrderR(SK, payload);
  assert.equal(ed25519.verify(hexToBytes(mixed), payload, hexToBytes(EPK), { zip215: false }), true);
  assert.equal(openssl(payload, mixed, EPK), false);
  assert.throws(() => verifySignature(payload, mixed, EPK), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'));
});

test('honest signatures verify and agree with OpenSSL', () => {
  for (let i = 0; i < 16; i++) {
    const sk = bytesToHex(ed25519.utils.randomSecretKey());
    const pk = bytesToHex(ed25519.getPublicKey(hexToBytes(sk)));
    const payload = encodePost(post(`honest ${i}`, pk));
    const sig = signPayload(payload, sk);
    assert.equal(verifySignature(payload, sig, pk), payload);
    assert.equal(openssl(payload, sig, pk), true);
  }
});
