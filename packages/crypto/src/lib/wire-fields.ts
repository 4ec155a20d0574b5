/**
 * Field assertions shared by the canonical encoders (post, like, signed request). Each checks one
 * field of a caller-built object, names it in the TypeError, and returns it. The encoders throw
 * TypeError because a server validates untrusted input against its schema before encoding.
 */
const HEX = /^[0-9a-f]+$/;

export function ahex(name: string, v: unknown, bytes: number): string {
  if (typeof v !== 'string' || v.length !== bytes * 2 || !HEX.test(v)) {
    throw new TypeError(`${name} must be ${bytes} bytes of lowercase hex`);
  }
  return v;
}

export function atime(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new TypeError(`${name} must be a non-negative integer (milliseconds since the Unix epoch)`);
  }
  return v;
}

export function aversion(v: unknown): 1 {
  if (v !== 1) throw new TypeError('v must be 1');
  return 1;
}

/** A well-formed UTF-16 string (no lone surrogates: they have no UTF-8 encoding). */
export function astring(name: string, v: unknown): string {
  if (typeof v !== 'string') throw new TypeError(`${name} must be a string`);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = v.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new TypeError(`${name} contains a lone surrogate`);
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new TypeError(`${name} contains a lone surrogate`);
    }
  }
  return v;
}

/** Prefix + canonical JSON, as UTF-8 bytes. */
export function domainSeparated(prefix: string, json: string): Uint8Array {
  return new TextEncoder().encode(`${prefix}\n${json}`);
}
