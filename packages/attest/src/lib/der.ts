/**
 * Minimal DER TLV walker (ITU-T X.690), used only to slice the EXACT signed bytes out of
 * certificates and CRLs (tbsCertificate / tbsCertList) and to read small vendor extensions
 * (Intel SGX PCK, AMD VCEK). Field decoding of standard X.509 is left to @peculiar/asn1-x509.
 * Definite lengths only (DER); indefinite lengths and lengths beyond the input are rejected.
 */
import { fail } from './bytes.ts';

export interface Tlv {
  tag: number;
  /** Content bytes. */
  value: Uint8Array;
  /** Whole element: tag, length and content. */
  raw: Uint8Array;
}

/** Reads one TLV at `offset`; throws `code` on anything truncated or non-DER. */
export function readTlv(buf: Uint8Array, offset: number, code: string): Tlv & { end: number } {
  if (offset + 2 > buf.length) fail(code, 'DER: truncated element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) fail(code, 'DER: multi-byte tags are not supported');
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) fail(code, 'DER: unsupported length encoding');
    if (p + n > buf.length) fail(code, 'DER: truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > buf.length) fail(code, 'DER: length exceeds input');
  return { tag, value: buf.subarray(p, p + len), raw: buf.subarray(offset, p + len), end: p + len };
}

/** All child elements of a constructed value. */
export function children(value: Uint8Array, code: string): Tlv[] {
  const out: Tlv[] = [];
  let o = 0;
  while (o < value.length) {
    const t = readTlv(value, o, code);
    out.push(t);
    o = t.end;
  }
  return out;
}

/** Exactly one element spanning the whole buffer. */
export function readSingle(buf: Uint8Array, code: string): Tlv {
  const t = readTlv(buf, 0, code);
  if (t.end !== buf.length) fail(code, 'DER: trailing bytes after element');
  return t;
}

/** Decodes an OBJECT IDENTIFIER's content bytes to dotted form. */
export function oidToString(v: Uint8Array): string {
  if (v.length === 0) return '';
  const parts: number[] = [Math.floor(v[0]! / 40), v[0]! % 40];
  let n = 0;
  for (let i = 1; i < v.length; i++) {
    n = n * 128 + (v[i]! & 0x7f);
    if (!(v[i]! & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

/** Non-negative INTEGER content → number (small values only). */
export function derUint(v: Uint8Array, code: string): number {
  if (v.length === 0 || v.length > 6) fail(code, 'DER: integer out of range');
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}
