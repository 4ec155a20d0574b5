import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as nodeVerify, sign as nodeSign, createPrivateKey } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import {
  encodePost, encodeLike, encodeRequest, signPayload, verifySignature, generateMessageId, isVeilError,
  type Post, type Like,
} from '@veil/crypto';

const SK = '0101010101010101010101010101010101010101010101010101010101010101';
const EPK = bytesToHex(ed25519.getPublicKey(hexToBytes(SK)));
const ID = '00112233445566778899aabbccddeeff';
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const post: Post = { v: 1, id: ID, group: 'acme.test', internal: true, text: 'héllo 👋', createdAt: 1767225600000, epk: EPK };
const like: Like = { v: 1, messageId: ID, action: 'like', createdAt: 1767225600000, epk: EPK };

// Hand-written expected payloads: keys in UTF-16 order, no whitespace, strings as JSON.stringify.
test('post payload: domain prefix + RFC 8785 canonical JSON', () => {
  assert.equal(
    dec(encodePost(post)),
    `veil/post/v1\n{"createdAt":1767225600000,"epk":"${EPK}","group":"acme.test","id":"${ID}","internal":true,"text":"héllo 👋","v":1}`,
  );
});

test('like payload', () => {
  assert.equal(
    dec(encodeLike(like)),
    `veil/like/v1\n{"action":"like","createdAt":1767225600000,"epk":"${EPK}","messageId":"${ID}","v":1}`,
  );
});

test('request payload', () => {
  const bytes = encodeRequest({ method: 'GET', origin: 'https://board.example', path: '/api/messages', query: 'group=acme.test&limit=2', timestamp: 5, epk: EPK });
  assert.equal(
    dec(bytes),
    `veil/request/v2\n{"epk":"${EPK}","method":"GET","origin":"https://board.example","path":"/api/messages","query":"group=acme.test&limit=2","timestamp":5,"v":2}`,
  );
  const other = encodeRequest({ method: 'GET', origin: 'https://other.example', path: '/api/messages', query: 'group=acme.test&limit=2', timestamp: 5, epk: EPK });
  assert.notDeepEqual(other, bytes);
});

test('escapes control characters and quotes as RFC 8785 requires', () => {
  const s = dec(encodePost({ ...post, text: 'a"b\\c\n\u0001\u2028' }));
  assert.ok(s.includes('"text":"a\\"b\\\\c\\n\\u0001\u2028"'));
});

test('field order does not change the bytes', () => {
  const reordered = { epk: EPK, text: post.text, createdAt: post.createdAt, internal: true, group: 'acme.test', id: ID, v: 1 } as Post;
  assert.deepEqual(encodePost(reordered), encodePost(post));
  const l2 = { epk: EPK, createdAt: like.createdAt, action: 'like', messageId: ID, v: 1 } as Like;
  assert.deepEqual(encodeLike(l2), encodeLike(like));
});

test('every field change changes the bytes', () => {
  const base = bytesToHex(encodePost(post));
  const variants: Partial<Post>[] = [
    { id: 'f0112233445566778899aabbccddeeff' }, { group: 'acme.tesu' }, { internal: false },
    { text: 'héllo 👋 ' }, { createdAt: post.createdAt + 1 }, { epk: 'aa'.repeat(32) },
  ];
  for (const v of variants) assert.notEqual(bytesToHex(encodePost({ ...post, ...v })), base, JSON.stringify(v));
  const lbase = bytesToHex(encodeLike(like));
  for (const v of [{ action: 'unlike' as const }, { messageId: 'ff'.repeat(16) }, { createdAt: 1 }, { epk: 'bb'.repeat(32) }]) {
    assert.notEqual(bytesToHex(encodeLike({ ...like, ...v })), lbase);
  }
});

test('no unicode normalisation: NFC and NFD spellings are different payloads', () => {
  const nfc = 'caf\u00e9';
  const nfd = 'cafe\u0301';
  assert.notDeepEqual(encodePost({ ...post, text: nfc }), encodePost({ ...post, text: nfd }));
});

test('domain separation: a post signature is not a like or request signature', () => {
  const sig = signPayload(encodePost(post), SK);
  verifySignature(encodePost(post), sig, EPK);
  assert.throws(() => verifySignature(encodeLike(like), sig, EPK), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'));
  assert.ok(dec(encodeLike(like)).startsWith('veil/like/v1\n'));
  assert.ok(!dec(encodePost(post)).startsWith('veil/like'));
});

test('malformed fields are refused with TypeError', () => {
  const bad: Array<Partial<Record<keyof Post, unknown>>> = [
    { v: 2 }, { id: 'ABCDEF00112233445566778899aabbcc' }, { id: '0011' }, { group: '' }, { internal: 'yes' },
    { text: 'x\ud800y' }, { text: 7 }, { createdAt: 1.5 }, { createdAt: -1 }, { epk: EPK.slice(2) },
  ];
  for (const b of bad) assert.throws(() => encodePost({ ...post, ...b } as Post), TypeError, JSON.stringify(b));
  assert.throws(() => encodeLike({ ...like, action: 'love' } as unknown as Like), TypeError);
  const origin = 'http://127.0.0.1:8080';
  assert.throws(() => encodeRequest({ method: 'get', origin, path: '/x', query: '', timestamp: 1, epk: EPK }), TypeError);
  assert.throws(() => encodeRequest({ method: 'GET', origin, path: '/x?a', query: '', timestamp: 1, epk: EPK }), TypeError);
  assert.throws(() => encodeRequest({ method: 'GET', origin, path: '/x', query: '?a', timestamp: 1, epk: EPK }), TypeError);
  for (const bad of ['', 'board.example', 'https://Board.example', 'https://board.example/', 'https://board.example:443', 'ftp://board.example', 'https://board.example/api']) {
    assert.throws(() => encodeRequest({ method: 'GET', origin: bad, path: '/x', query: '', timestamp: 1, epk: EPK }), TypeError, bad);
  }
});

test('signatures interoperate with node:crypto Ed25519 both ways', () => {
  const payload = encodePost(post);
  const sig = signPayload(payload, SK);
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(EPK, 'hex')]);
  const pub = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  assert.equal(nodeVerify(null, payload, pub, Buffer.from(sig, 'hex')), true);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(SK, 'hex')]);
  const nodeSig = nodeSign(null, payload, createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).toString('hex');
  assert.equal(nodeSig, sig); // Ed25519 is deterministic
  assert.equal(verifySignature(payload, nodeSig, EPK), payload);
});

test('verifySignature rejects forged, tampered and malformed signatures', () => {
  const payload = encodePost(post);
  const sig = signPayload(payload, SK);
  const flipped = sig.slice(0, 10) + (sig[10] === '0' ? '1' : '0') + sig.slice(11);
  assert.throws(() => verifySignature(payload, flipped, EPK), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'));
  assert.throws(() => verifySignature(encodePost({ ...post, internal: false }), sig, EPK), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'));
  const otherKey = bytesToHex(ed25519.getPublicKey(hexToBytes('02'.repeat(32))));
  assert.throws(() => verifySignature(payload, sig, otherKey), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'));
  assert.throws(() => verifySignature(payload, sig.slice(2), EPK), (e) => isVeilError(e, 'ERR_SIGNATURE_MALFORMED'));
  assert.throws(() => verifySignature(payload, sig.toUpperCase(), EPK), (e) => isVeilError(e, 'ERR_SIGNATURE_MALFORMED'));
  assert.throws(() => verifySignature(payload, sig, 'zz'.repeat(32)), (e) => isVeilError(e, 'ERR_SIGNATURE_MALFORMED'));
  // s >= L (non-canonical scalar): add L to s, must be refused
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  const sBytes = hexToBytes(sig.slice(64)).reverse();
  const s = BigInt('0x' + bytesToHex(sBytes)) + L;
  const sHex = s.toString(16).padStart(64, '0');
  const sLE = bytesToHex(hexToBytes(sHex).reverse());
  assert.throws(() => verifySignature(payload, sig.slice(0, 64) + sLE, EPK), (e) => isVeilError(e, 'ERR_SIGNATURE_INVALID'));
});

test('generateMessageId is 16 random bytes of hex', () => {
  const a = generateMessageId();
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, generateMessageId());
});

test('frozen vectors (test/vectors/veil/signed-payloads.json): payload bytes and signatures never drift', async () => {
  const { readFileSync } = await import('node:fs');
  const v = JSON.parse(readFileSync(new URL('./vectors/veil/signed-payloads.json', import.meta.url), 'utf8'));
  const cases: Array<[Uint8Array, { payload: string; signature: string }]> = [
    [encodePost(v.post.value), v.post],
    [encodeLike(v.like.value), v.like],
    [encodeRequest(v.request.value), v.request],
  ];
  for (const [bytes, want] of cases) {
    assert.equal(dec(bytes), want.payload);
    assert.equal(signPayload(bytes, v.secretKey), want.signature);
    assert.equal(verifySignature(bytes, want.signature, v.publicKey), bytes);
  }
});
