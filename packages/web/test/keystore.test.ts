// Key generation and signing of the browser key store (Node 20's WebCrypto has Ed25519, as
// Chromium does). IndexedDB persistence is exercised by the e2e test in a real browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodePost, generateMessageId, verifySignature } from '@veil/crypto';
import { generateIdentity, IDENTITY_DAYS, isExpired, sign, type Identity } from '../src/app/keystore.ts';
import { toHex } from '../src/app/hex.ts';

const post = (epk: string) => ({ v: 1 as const, id: generateMessageId(), group: 'acme.test', internal: true, text: 'hi', createdAt: 1_700_000_000_000, epk });

test('a new identity holds a non-extractable WebCrypto key whose signatures verify under its epk', async () => {
  const now = 1_700_000_000_000;
  const id = await generateIdentity(now);
  assert.equal(id.kind, 'webcrypto');
  assert.equal(id.secretKey, null);
  assert.equal(id.privateKey!.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('pkcs8', id.privateKey!));
  assert.match(id.epk, /^[0-9a-f]{64}$/);
  assert.match(id.salt, /^[0-9a-f]{32}$/);
  assert.equal(id.expiry, now / 1000 + IDENTITY_DAYS * 86400);
  assert.equal(isExpired(id, now), false);
  assert.equal(isExpired(id, id.expiry * 1000), true);
  const p = post(id.epk);
  const signature = await sign(id, encodePost(p));
  verifySignature(encodePost(p), signature, id.epk);
  // The same signature does not carry over to the post flipped to public.
  assert.throws(() => verifySignature(encodePost({ ...p, internal: false }), signature, id.epk), { code: 'ERR_SIGNATURE_INVALID' });
});

test('two identities never share a key or salt', async () => {
  const [a, b] = await Promise.all([generateIdentity(), generateIdentity()]);
  assert.notEqual(a.epk, b.epk);
  assert.notEqual(a.salt, b.salt);
});

test('the noble fallback signs verifiably; an identity without a key refuses to sign', async () => {
  const sk = ed25519.utils.randomSecretKey();
  const id: Identity = { kind: 'noble', privateKey: null, secretKey: toHex(sk), epk: toHex(ed25519.getPublicKey(sk)), salt: '00', expiry: 0, createdAt: 0, group: null, iss: null };
  const bytes = encodePost(post(id.epk));
  verifySignature(bytes, await sign(id, bytes), id.epk);
  await assert.rejects(sign({ ...id, secretKey: null }, bytes), /no usable key/);
});
