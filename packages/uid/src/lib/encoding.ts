// Strict hex and base64 helpers (runtime-agnostic: atob/btoa, no Buffer).
import { VeilError } from '@veil/crypto';

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Parses lowercase-or-uppercase hex of an exact byte length; `code` names the error for untrusted input. */
export function fromHex(s: unknown, length: number, code: string, what: string): Uint8Array {
  if (typeof s !== 'string' || s.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new VeilError(code, `${what} must be ${length} bytes of hex`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Parses canonical padded base64 of at most `max` bytes. */
export function fromBase64(s: unknown, max: number, code: string, what: string): Uint8Array {
  if (typeof s !== 'string' || s.length > Math.ceil(max / 3) * 4 || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) {
    throw new VeilError(code, `${what} must be base64 of at most ${max} bytes`);
  }
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Constant-time equality of two byte strings (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
