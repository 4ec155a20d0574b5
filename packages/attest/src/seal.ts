/**
 * Sealing bound to the measurement (SGX "MRENCLAVE policy"): data sealed by one build can be
 * unsealed only by a producer reporting the same measurement (and, on SGX, the same CPU).
 *
 * Key schedule: HKDF-SHA256(ikm = producer.sealKey(), salt = 32 random bytes per blob,
 *   info = "veil/seal/v1" ‖ 0x00 ‖ purpose ‖ 0x00 ‖ measurement) → AES-256-GCM key (WebCrypto).
 * The hardware key is only ever HKDF input, never a cipher key, and the purpose label separates
 * uses (Gramine warns against reusing _sgx_mrenclave for several jobs).
 *
 * Blob v1: "VSEL" ‖ version 1 ‖ policy 1 (MRENCLAVE) ‖ len(measurement) ‖ measurement ‖ salt(32)
 *   ‖ iv(12) ‖ AES-GCM ciphertext with 16-byte tag. The whole header is the GCM AAD, so the
 *   recorded measurement, salt and version are authenticated too.
 * Every failure to unseal (wrong measurement, wrong purpose, tampering, truncation) is one code,
 * ERR_UNSEAL, so the error does not become an oracle. A wrong measurement is said as such, with both
 * measurements: the recorded one is in the clear header anyway.
 * `readSealedMeasurement` reads the recorded measurement without any key: unauthenticated, a hint
 * for callers deciding what to do before unsealing (the development profile's stale-data check),
 * never a reason to trust the blob.
 */
import { VeilError } from '@veil/crypto';
import type { EvidenceProducer } from './producers/producer.ts';
import { toHex } from './lib/bytes.ts';

const MAGIC = [0x56, 0x53, 0x45, 0x4c]; // "VSEL"
const VERSION = 1;
const POLICY_MRENCLAVE = 1;
const SALT = 32;
const IV = 12;
const TAG = 16;
const enc = new TextEncoder();

/** Options for seal/unseal. */
export interface SealOptions {
  /** Purpose label mixed into the key derivation; unseal must use the same one. Default "default". */
  purpose?: string;
}

/** WebCrypto's types want ArrayBuffer-backed views; copy when a view sits on a SharedArrayBuffer. */
function ab(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return u.buffer instanceof ArrayBuffer ? (u as Uint8Array<ArrayBuffer>) : new Uint8Array(u);
}

function measurementBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2}){16,64}$/.test(hex)) {
    throw new TypeError('producer.measurement must be lowercase hex (16 to 64 bytes)');
  }
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

async function deriveKey(producer: EvidenceProducer, salt: Uint8Array, measurement: Uint8Array, purpose: string): Promise<CryptoKey> {
  const raw = await producer.sealKey();
  if (!(raw instanceof Uint8Array) || raw.length < 16) throw new TypeError('producer.sealKey() must return at least 16 bytes');
  const label = enc.encode(`veil/seal/v1\0${purpose}\0`);
  const info = new Uint8Array(label.length + measurement.length);
  info.set(label);
  info.set(measurement, label.length);
  const ikm = await crypto.subtle.importKey('raw', ab(raw), 'HKDF', false, ['deriveKey']);
  raw.fill(0);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: ab(salt), info: ab(info) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function aPurpose(options: SealOptions | undefined): string {
  const purpose = options?.purpose ?? 'default';
  if (typeof purpose !== 'string' || purpose.length === 0 || purpose.includes('\0')) {
    throw new TypeError('purpose must be a non-empty string without NUL');
  }
  return purpose;
}

/**
 * Encrypts `data` so that only a producer with the same measurement (and sealing key) can read it.
 *
 * @example
 * import { seal } from '@veil/attest/seal';
 * const blob = await seal(new TextEncoder().encode('db password'), producer, { purpose: 'db' });
 * @throws TypeError on caller mistakes; errors of producer.sealKey().
 */
export async function seal(data: Uint8Array, producer: EvidenceProducer, options?: SealOptions): Promise<Uint8Array> {
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  const purpose = aPurpose(options);
  const m = measurementBytes(producer?.measurement);
  const header = new Uint8Array(7 + m.length + SALT + IV);
  header.set(MAGIC, 0);
  header[4] = VERSION;
  header[5] = POLICY_MRENCLAVE;
  header[6] = m.length;
  header.set(m, 7);
  const salt = crypto.getRandomValues(new Uint8Array(SALT));
  const iv = crypto.getRandomValues(new Uint8Array(IV));
  header.set(salt, 7 + m.length);
  header.set(iv, 7 + m.length + SALT);
  const key = await deriveKey(producer, salt, m, purpose);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: ab(iv), additionalData: ab(header) }, key, ab(data)));
  const out = new Uint8Array(header.length + ct.length);
  out.set(header);
  out.set(ct, header.length);
  return out;
}

/** The v1 header fields of `blob`, or the reason it is not one (no key involved, nothing authenticated). */
function parseHeader(blob: Uint8Array): { measurement: Uint8Array; headerLength: number } | string {
  if (blob.length < 7) return 'blob too short';
  if (MAGIC.some((b, i) => blob[i] !== b) || blob[4] !== VERSION || blob[5] !== POLICY_MRENCLAVE) return 'not a v1 MRENCLAVE-policy sealed blob';
  const len = blob[6]!;
  const headerLength = 7 + len + SALT + IV;
  if (blob.length < headerLength + TAG) return 'blob truncated';
  return { measurement: blob.subarray(7, 7 + len), headerLength };
}

/**
 * The measurement recorded in a sealed blob's header (lowercase hex): which build sealed it.
 * UNAUTHENTICATED — anyone can rewrite the header; only `unseal` checks it (it is GCM AAD and a KDF
 * input). Use it to decide what to do before unsealing, e.g. set aside development data another
 * build sealed, never to trust the blob or its contents.
 *
 * @example
 * import { readSealedMeasurement } from '@veil/attest/seal';
 * if (readSealedMeasurement(blob) !== producer.measurement) console.warn('sealed by another build');
 * @throws VeilError ERR_UNSEAL when `blob` is not a v1 sealed blob.
 */
export function readSealedMeasurement(blob: Uint8Array): string {
  if (!(blob instanceof Uint8Array)) throw new TypeError('blob must be a Uint8Array');
  const h = parseHeader(blob);
  if (typeof h === 'string') throw new VeilError('ERR_UNSEAL', `cannot read the sealed header: ${h}`);
  return toHex(h.measurement);
}

/**
 * Decrypts a blob made by {@link seal} under the same measurement and purpose.
 *
 * @example
 * import { unseal } from '@veil/attest/seal';
 * const data = await unseal(blob, producer, { purpose: 'db' });
 * @throws VeilError ERR_UNSEAL
 */
export async function unseal(blob: Uint8Array, producer: EvidenceProducer, options?: SealOptions): Promise<Uint8Array> {
  if (!(blob instanceof Uint8Array)) throw new TypeError('blob must be a Uint8Array');
  const purpose = aPurpose(options);
  const m = measurementBytes(producer?.measurement);
  const fail = (why: string): never => {
    throw new VeilError('ERR_UNSEAL', `cannot unseal: ${why}`);
  };
  const h = parseHeader(blob);
  if (typeof h === 'string') return fail(h);
  const { measurement: recorded, headerLength } = h;
  const len = recorded.length;
  if (len !== m.length || recorded.some((b, i) => b !== m[i])) {
    fail(`sealed under a different measurement (sealed by build ${toHex(recorded)}, this build is ${producer.measurement}); only the build that sealed it can unseal it`);
  }
  const header = blob.subarray(0, headerLength);
  const salt = blob.slice(7 + len, 7 + len + SALT);
  const iv = blob.slice(7 + len + SALT, headerLength);
  const key = await deriveKey(producer, salt, m, purpose);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: ab(iv), additionalData: ab(header) }, key, ab(blob.subarray(headerLength))));
  } catch (cause) {
    throw new VeilError('ERR_UNSEAL', 'cannot unseal: authentication failed (tampered blob, other key or purpose)', { cause });
  }
}
