/**
 * The user's keys and what they sign. A person links any number of public keys to their UID:
 *   ed25519    32-byte public key, RFC 8032 signature (64 bytes) — the keys `veil keygen` writes
 *   secp256k1  33-byte compressed SEC1 public key, ECDSA over SHA-256 of the message, 64-byte
 *              compact signature, low-S only (noble's default) — for wallets
 * Every signed message starts with its own tag and a 0x00, so a signature made for one purpose
 * never passes for another; variable fields are u16 length-prefixed.
 *   enroll       "veil-identity/enroll/v1"       ‖ session id (32 bytes)
 *   link         "veil-identity/link/v1"         ‖ session id ‖ new key alg ‖ new public key
 *   participate  "veil-identity/participate/v1"  ‖ context ‖ timestamp (u64 ms)
 *   group join   "veil-identity/group-join/v1"   ‖ group ‖ commitment (32 bytes) ‖ replace (1 byte) ‖ timestamp (u64 ms)
 * The session id is a fresh random value the service hands out (`challenge` op), so a signature
 * is good for one session only.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { VeilError } from '@veil/crypto';
import { fromHex, toHex } from '@veil/crypto/bytes';

export type KeyAlg = 'ed25519' | 'secp256k1';
export const KEY_ALGS: readonly KeyAlg[] = Object.freeze(['ed25519', 'secp256k1']);

/** A public key on the wire: `{ alg, publicKey }` (lowercase hex). */
export interface UserPublicKey {
  alg: KeyAlg;
  publicKey: string;
}

const KEY_BYTES: Record<KeyAlg, number> = { ed25519: 32, secp256k1: 33 };

/**
 * Checks a public key's form (and that it is a curve point); returns it with lowercase hex.
 *
 * @example
 * aUserPublicKey({ alg: 'ed25519', publicKey: hex });
 * @throws VeilError ERR_KEY_INVALID
 */
export function aUserPublicKey(k: unknown): UserPublicKey {
  const r = k as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || !KEY_ALGS.includes(r.alg as KeyAlg)) throw new VeilError('ERR_KEY_INVALID', 'key alg must be ed25519 or secp256k1');
  const alg = r.alg as KeyAlg;
  const bytes = fromHex(r.publicKey, KEY_BYTES[alg], 'ERR_KEY_INVALID', `${alg} publicKey`);
  try {
    if (alg === 'ed25519') ed25519.Point.fromBytes(bytes);
    else secp256k1.Point.fromBytes(bytes);
  } catch (cause) {
    throw new VeilError('ERR_KEY_INVALID', `${alg} publicKey is not a point on the curve`, { cause });
  }
  return { alg, publicKey: toHex(bytes) };
}

function tagged(tag: string, ...parts: Uint8Array[]): Uint8Array {
  const t = new TextEncoder().encode(`${tag}\0`);
  const out = new Uint8Array(t.length + parts.reduce((n, p) => n + 2 + p.length, 0));
  out.set(t, 0);
  let o = t.length;
  for (const p of parts) {
    out[o++] = p.length >> 8;
    out[o++] = p.length & 0xff;
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

/** The bytes a user signs, per purpose. */
export const signedMessages = Object.freeze({
  enroll: (sessionId: Uint8Array) => tagged('veil-identity/enroll/v1', sessionId),
  link: (sessionId: Uint8Array, key: UserPublicKey) => tagged('veil-identity/link/v1', sessionId, utf8(key.alg), fromHex(key.publicKey, KEY_BYTES[key.alg], 'ERR_KEY_INVALID', 'publicKey')),
  participate: (context: string, ts: number) => tagged('veil-identity/participate/v1', utf8(context), u64(ts)),
  groupJoin: (group: string, commitment: string, replace: boolean, ts: number) =>
    tagged('veil-identity/group-join/v1', utf8(group), fromHex(commitment, 32, 'ERR_REQUEST_MALFORMED', 'commitment'), Uint8Array.of(replace ? 1 : 0), u64(ts)),
});

/**
 * Verifies a user's signature; throws rather than returning false.
 *
 * @example
 * verifyUserSignature(key, signedMessages.enroll(sessionId), signatureHex);
 * @throws VeilError ERR_SIGNATURE_INVALID
 */
export function verifyUserSignature(key: UserPublicKey, message: Uint8Array, signature: unknown): void {
  const sig = fromHex(signature, 64, 'ERR_SIGNATURE_INVALID', 'signature');
  const pk = fromHex(key.publicKey, KEY_BYTES[key.alg], 'ERR_KEY_INVALID', 'publicKey');
  let ok = false;
  try {
    ok = key.alg === 'ed25519' ? ed25519.verify(sig, message, pk) : secp256k1.verify(sig, message, pk);
  } catch {
    ok = false;
  }
  if (!ok) throw new VeilError('ERR_SIGNATURE_INVALID', `the ${key.alg} signature does not verify`);
}

/**
 * Signs with a user's secret key (client side).
 *
 * @example
 * const sig = signAsUser('ed25519', secretKeyHex, signedMessages.participate('poll-1', Date.now()));
 * @throws TypeError on a malformed secret key.
 */
export function signAsUser(alg: KeyAlg, secretKeyHex: string, message: Uint8Array): string {
  if (typeof secretKeyHex !== 'string' || !/^[0-9a-f]{64}$/i.test(secretKeyHex)) throw new TypeError('secretKey must be 32 bytes of hex');
  const sk = fromHex(secretKeyHex, 32, 'ERR_KEY_INVALID', 'secretKey');
  return toHex(alg === 'ed25519' ? ed25519.sign(message, sk) : secp256k1.sign(message, sk));
}

/**
 * The public key of a secret key.
 *
 * @example
 * publicKeyOf('secp256k1', secretKeyHex); // { alg: 'secp256k1', publicKey: '02…' }
 */
export function publicKeyOf(alg: KeyAlg, secretKeyHex: string): UserPublicKey {
  const sk = fromHex(secretKeyHex, 32, 'ERR_KEY_INVALID', 'secretKey');
  return { alg, publicKey: toHex(alg === 'ed25519' ? ed25519.getPublicKey(sk) : secp256k1.getPublicKey(sk)) };
}
