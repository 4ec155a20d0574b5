/**
 * Strict hex and base64 codecs and constant-time byte equality, runtime-agnostic (atob/btoa, no
 * Buffer). Parsers take untrusted input: they refuse anything but an exact encoding of the stated
 * length and name the field in a VeilError with the caller's code.
 */
import { VeilError } from './errors.ts';

/** Lowercase hex of `b`. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/**
 * Parses hex (either case) of exactly `length` bytes.
 * @example
 * import { fromHex } from '@veil/crypto/bytes';
 * const key = fromHex(body.key, 32, 'ERR_KEY_INVALID', 'key');
 * @throws VeilError `code` when `s` is not `length` bytes of hex.
 */
export function fromHex(s: unknown, length: number, code: string, what: string): Uint8Array {
  if (typeof s !== 'string' || s.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new VeilError(code, `${what} must be ${length} bytes of hex`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Padded standard base64 of `b`. */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * Parses canonical padded base64 of at most `max` bytes.
 * @example
 * import { fromBase64 } from '@veil/crypto/bytes';
 * const evidence = fromBase64(body.evidence, 65536, 'ERR_EVIDENCE_MALFORMED', 'evidence');
 * @throws VeilError `code` when `s` is not such base64.
 */
export function fromBase64(s: unknown, max: number, code: string, what: string): Uint8Array {
  if (typeof s !== 'string' || s.length > Math.ceil(max / 3) * 4 || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) {
    throw new VeilError(code, `${what} must be base64 of at most ${max} bytes`);
  }
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Constant-time equality of two byte strings (their length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
