// veil_rsa (circuits/lib/rsa) against node:crypto RS256: real signatures verify; forged, out-of-range,
// non-canonical and mis-padded ones fail to execute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { toLimbs } from '@veil/crypto';
import { assertUnsatisfiable, execute } from './lib/noir.ts';

const TWO_120 = 1n << 120n;
const DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

type Key = { n: bigint; d: bigint; privateKey: KeyObject };

function makeKey(bits = 2048, publicExponent = 65537): Key {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent });
  const pub = publicKey.export({ format: 'jwk' });
  const priv = privateKey.export({ format: 'jwk' });
  const big = (b64: string | undefined): bigint => BigInt('0x' + Buffer.from(b64!, 'base64url').toString('hex'));
  return { n: big(pub.n), d: big(priv.d), privateKey };
}

function modpow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

const value = (limbs: string[]): bigint => limbs.reduce((acc, l, i) => acc + (BigInt(l) << (120n * BigInt(i))), 0n);
const toBig = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).toString('hex'));
const sha256 = (m: Uint8Array): Buffer => createHash('sha256').update(m).digest();

/** EMSA-PKCS1-v1_5 for SHA-256, 256 bytes (RFC 8017 s9.2). */
function encode(digest: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(202, 0xff), Buffer.from([0]), DIGEST_INFO, digest]);
}

function inputs(digest: Uint8Array, signature: string[] | bigint, modulus: string[] | bigint) {
  return {
    digest: Array.from(digest, String),
    signature: typeof signature === 'bigint' ? toLimbs(signature) : signature,
    modulus: typeof modulus === 'bigint' ? toLimbs(modulus) : modulus,
  };
}

const verify = (digest: Uint8Array, s: string[] | bigint, n: string[] | bigint) => execute('rsa', inputs(digest, s, n));
const refuse = (digest: Uint8Array, s: string[] | bigint, n: string[] | bigint, label?: string) =>
  assertUnsatisfiable('rsa', inputs(digest, s, n), label);

const key = makeKey();
const other = makeKey();
const msg = randomBytes(700);
const digest = sha256(msg);
const sig = toBig(sign('sha256', msg, key.privateKey));

test('real RS256 signatures from node:crypto verify', async () => {
  await verify(digest, sig, key.n);
  for (const k of [key, other]) {
    const m = randomBytes(64);
    await verify(sha256(m), toBig(sign('sha256', m, k.privateKey)), k.n);
  }
});

test('rejects a wrong digest (each region of the digest)', async () => {
  for (const i of [0, 1, 16, 17, 31]) {
    const d = Buffer.from(digest);
    d[i]! ^= 0x01;
    await refuse(d, sig, key.n, `digest byte ${i}`);
  }
});

test('rejects a signature made by another key', async () => {
  await refuse(digest, toBig(sign('sha256', msg, other.privateKey)), key.n);
  await refuse(digest, sig, other.n);
});

test('rejects signature >= modulus (s + n, n itself) and trivial signatures 0 and 1', async () => {
  await refuse(digest, sig + key.n, key.n);
  await refuse(digest, key.n, key.n);
  await refuse(digest, 0n, key.n);
  await refuse(digest, 1n, key.n);
});

test('rejects tampered limbs', async () => {
  for (const i of [0, 8, 17]) {
    const s = toLimbs(sig);
    s[i] = '0x' + (BigInt(s[i]!) ^ 1n).toString(16);
    await refuse(digest, s, key.n, `signature limb ${i}`);
    const n = toLimbs(key.n);
    n[i] = '0x' + (BigInt(n[i]!) ^ 2n).toString(16);
    await refuse(digest, sig, n, `modulus limb ${i}`);
  }
});

test('rejects non-canonical limbs (limb >= 2^120 carrying the same value)', async () => {
  for (const i of [0, 5]) {
    const s = toLimbs(sig);
    s[i] = '0x' + (BigInt(s[i]!) + TWO_120).toString(16);
    s[i + 1] = '0x' + (BigInt(s[i + 1]!) - 1n).toString(16);
    assert.equal(value(s), sig, 'same integer, non-canonical limbs');
    await refuse(digest, s, key.n, `signature limb ${i}`);
    const n = toLimbs(key.n);
    n[i] = '0x' + (BigInt(n[i]!) + TWO_120).toString(16);
    n[i + 1] = '0x' + (BigInt(n[i + 1]!) - 1n).toString(16);
    assert.equal(value(n), key.n);
    await refuse(digest, sig, n, `modulus limb ${i}`);
  }
});

test('raw-signed encodings: the correct one verifies, broken padding with the right hash does not', async () => {
  const em = encode(digest);
  const rawSign = (bytes: Uint8Array) => modpow(toBig(bytes), key.d, key.n);
  assert.equal(rawSign(em), sig, 'raw signing reproduces node:crypto (PKCS#1 v1.5 is deterministic)');
  await verify(digest, rawSign(em), key.n);

  const broken: Array<[string, (b: Buffer) => void]> = [
    ['block type 02', (b) => { b[1] = 0x02; }],
    ['leading byte 01', (b) => { b[0] = 0x01; }],
    ['one padding byte FE', (b) => { b[100] = 0xfe; }],
    ['last padding byte 00', (b) => { b[203] = 0x00; }],
    ['separator FF', (b) => { b[204] = 0xff; }],
    ['DigestInfo OID for SHA-512', (b) => { b[205 + 14] = 0x03; }],
    ['DigestInfo length byte', (b) => { b[205 + 18] = 0x21; }],
  ];
  for (const [name, mutate] of broken) {
    const b = Buffer.from(em);
    mutate(b);
    await refuse(digest, rawSign(b), key.n, name);
  }
  // DigestInfo without the NULL parameters, shifted: hash bytes still last, padding one byte longer.
  const noNull = Buffer.concat([
    Buffer.from([0, 1]), Buffer.alloc(204, 0xff), Buffer.from([0]),
    Buffer.from('302f300b0609608648016503040201' + '0420', 'hex'), digest,
  ]);
  assert.equal(noNull.length, 256);
  await refuse(digest, rawSign(noNull), key.n, 'DigestInfo without NULL');
  // Hash at the end, garbage in the middle (Bleichenbacher-2006 style): only the last 32 bytes right.
  const garbage = Buffer.from(em);
  randomBytes(150).copy(garbage, 20);
  await refuse(digest, rawSign(garbage), key.n, 'garbage padding');
});

test('rejects moduli that are not 2048 bits, even with valid signatures', async () => {
  for (const bits of [1024, 2056]) {
    const k = makeKey(bits);
    const s = toBig(sign('sha256', msg, k.privateKey));
    await refuse(digest, s, k.n, `${bits}-bit key`);
  }
});

test('rejects a signature that is valid only under another public exponent (e = 3)', async () => {
  const k3 = makeKey(2048, 3);
  const m = randomBytes(64);
  const s = toBig(sign('sha256', m, k3.privateKey));
  assert.equal(modpow(s, 3n, k3.n), toBig(encode(sha256(m))), 'valid under e = 3');
  await refuse(sha256(m), s, k3.n);
});
