/**
 * Byte helpers for the attestation parsers: a bounds-checked little-endian reader, hex/base64
 * codecs and constant-time comparison. Web APIs only (no Buffer), so the verifier runs in browsers.
 * Every malformed-input path throws `VeilError` with a stable code; nothing here allocates more than
 * the input already holds, so a huge length field cannot make a parser hang or exhaust memory.
 */
import { VeilError } from '@veil/crypto';

/** Throws the given code with a message; `never` so callers can use it in expressions. */
export function fail(code: string, message: string, cause?: unknown): never {
  throw new VeilError(code, message, cause === undefined ? undefined : { cause });
}

/** A cursor over untrusted bytes: every read checks the remaining length first. */
export class ByteReader {
  readonly bytes: Uint8Array;
  offset: number;
  private readonly view: DataView;
  constructor(bytes: Uint8Array, private readonly code: string, private readonly what: string) {
    this.bytes = bytes;
    this.offset = 0;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  private need(n: number, field: string): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.remaining) {
      fail(this.code, `${this.what}: truncated at ${field} (need ${n} bytes at offset ${this.offset}, ${this.remaining} left)`);
    }
  }
  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }
  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }
  take(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Decodes hex (either case); `code` is thrown for untrusted input that is not hex. */
export function fromHex(s: string, code = 'ERR_INPUT_MALFORMED', what = 'hex'): Uint8Array {
  if (typeof s !== 'string' || !HEX.test(s)) fail(code, `${what}: not an even-length hex string`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes standard or URL-safe base64 (whitespace ignored). */
export function fromBase64(s: string, code = 'ERR_INPUT_MALFORMED', what = 'base64'): Uint8Array {
  const t = s.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!B64.test(t) || t.length % 4 === 1) fail(code, `${what}: not base64`);
  // Canonical only: the unused low bits of the last character must be zero, so that each byte
  // string has exactly one encoding (a flipped padding bit would otherwise go unnoticed).
  const data = t.replace(/=+$/, '');
  const spare = data.length % 4 === 2 ? 0x0f : data.length % 4 === 3 ? 0x03 : 0;
  if (spare && B64_ALPHABET.indexOf(data[data.length - 1]!) & spare) fail(code, `${what}: non-canonical base64`);
  let bin: string;
  try {
    bin = atob(t.padEnd(t.length + ((4 - (t.length % 4)) % 4), '='));
  } catch (e) {
    fail(code, `${what}: not base64`, e);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Constant-time equality for equal lengths (the lengths themselves are not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export function isAllZero(b: Uint8Array): boolean {
  let d = 0;
  for (const x of b) d |= x;
  return d === 0;
}

const utf8 = new TextEncoder();
export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}
