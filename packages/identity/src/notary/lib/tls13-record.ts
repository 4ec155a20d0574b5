/**
 * TLS 1.3 record protection for TLS_AES_128_GCM_SHA256, as far as the notary needs it.
 *
 * Spec: RFC 8446 §7.1 (HKDF-Expand-Label), §7.3 (traffic keys: key = 16 bytes, iv = 12 bytes),
 * §5.2–5.3 (record nonce = iv XOR the 64-bit sequence number, left-padded; AAD = the 5-byte record
 * header; inner plaintext = content ‖ content type ‖ zero padding). AES-GCM per NIST SP 800-38D.
 *
 * The one unusual operation is `patchRecordCiphertext`: it replaces ciphertext bytes of a sealed
 * record and recomputes the tag without the plaintext. GHASH is linear over GF(2^128), and the tag
 * is T = E_K(J0) ⊕ GHASH_H(A, C), so for the same AAD and length
 *   T' = T ⊕ GHASH_H(A, C) ⊕ GHASH_H(A, C').
 * Both hashes are over ciphertext only; the new plaintext (the user's credential) is never formed.
 * GHASH is @noble/ciphers'; AES is Node's. Not constant time with respect to the ciphertext (which
 * is public on the wire anyway). Only AES-128-GCM-SHA256 is supported; callers force that suite.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ghash } from '@noble/ciphers/_polyval.js';
import { expand } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

export const SUITE = 'TLS_AES_128_GCM_SHA256';
export const RECORD_HEADER_BYTES = 5;
export const TAG_BYTES = 16;
export const CONTENT_APPLICATION_DATA = 23;
export const CONTENT_HANDSHAKE = 22;
export const CONTENT_ALERT = 21;

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
  /** H = AES_K(0^128), the GHASH key. */
  hashKey: Uint8Array;
}

const enc = new TextEncoder();

/** HKDF-Expand-Label(secret, label, context, length) with SHA-256 (RFC 8446 §7.1). */
export function hkdfExpandLabel(secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const full = enc.encode(`tls13 ${label}`);
  const info = new Uint8Array(2 + 1 + full.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  info.set(full, 3);
  info[3 + full.length] = context.length;
  info.set(context, 4 + full.length);
  return expand(sha256, secret, info, length);
}

/** The write key and IV of a traffic secret (RFC 8446 §7.3), plus the GHASH key. */
export function deriveTrafficKeys(secret: Uint8Array): TrafficKeys {
  if (secret.length !== 32) throw new TypeError('traffic secret: 32 bytes for SHA-256 suites');
  const key = hkdfExpandLabel(secret, 'key', new Uint8Array(0), 16);
  const iv = hkdfExpandLabel(secret, 'iv', new Uint8Array(0), 12);
  const hashKey = new Uint8Array(createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(new Uint8Array(16)));
  return { key, iv, hashKey };
}

/** Per-record nonce: the IV XOR the sequence number as 64-bit big endian in the last 8 bytes. */
export function recordNonce(iv: Uint8Array, seq: bigint): Uint8Array {
  const nonce = iv.slice();
  for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((seq >> BigInt(8 * i)) & 0xffn);
  return nonce;
}

/**
 * Opens a protected record (header included). Returns the content and its real content type, or
 * undefined when the tag does not verify under these keys and sequence number.
 */
export function openRecord(keys: TrafficKeys, seq: bigint, record: Uint8Array): { type: number; content: Uint8Array } | undefined {
  if (record.length < RECORD_HEADER_BYTES + TAG_BYTES + 1 || record[0] !== CONTENT_APPLICATION_DATA) return undefined;
  const body = record.subarray(RECORD_HEADER_BYTES, record.length - TAG_BYTES);
  const d = createDecipheriv('aes-128-gcm', keys.key, recordNonce(keys.iv, seq));
  d.setAAD(record.subarray(0, RECORD_HEADER_BYTES));
  d.setAuthTag(record.subarray(record.length - TAG_BYTES));
  let inner: Uint8Array;
  try {
    inner = new Uint8Array(Buffer.concat([d.update(body), d.final()]));
  } catch {
    return undefined;
  }
  let end = inner.length;
  while (end > 0 && inner[end - 1] === 0) end--;
  if (end === 0) return undefined;
  return { type: inner[end - 1]!, content: inner.subarray(0, end - 1) };
}

function ghashOf(hashKey: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const lengths = new Uint8Array(16);
  const view = new DataView(lengths.buffer);
  view.setBigUint64(0, BigInt(aad.length * 8));
  view.setBigUint64(8, BigInt(ciphertext.length * 8));
  // The length hint lets noble size its multiplication tables for one short message.
  return ghash.create(hashKey, aad.length + ciphertext.length + 32).update(aad).update(ciphertext).update(lengths).digest();
}

/**
 * A copy of `record` whose ciphertext bytes from `offset` (within the content) are replaced by
 * `replacement`, with the GCM tag recomputed from the ciphertexts alone (see file header).
 */
export function patchRecordCiphertext(hashKey: Uint8Array, record: Uint8Array, offset: number, replacement: Uint8Array): Uint8Array {
  const bodyEnd = record.length - TAG_BYTES;
  if (offset < 0 || RECORD_HEADER_BYTES + offset + replacement.length > bodyEnd) throw new RangeError('patch outside the record content');
  const aad = record.subarray(0, RECORD_HEADER_BYTES);
  const out = record.slice();
  const oldHash = ghashOf(hashKey, aad, record.subarray(RECORD_HEADER_BYTES, bodyEnd));
  out.set(replacement, RECORD_HEADER_BYTES + offset);
  const newHash = ghashOf(hashKey, aad, out.subarray(RECORD_HEADER_BYTES, bodyEnd));
  for (let i = 0; i < TAG_BYTES; i++) out[bodyEnd + i]! ^= oldHash[i]! ^ newHash[i]!;
  return out;
}
