/**
 * Strict base64url (RFC 4648 §5) without padding, as in JWS compact serialisation (RFC 7515 §2),
 * on Uint8Array (no Buffer). Decoding rejects characters outside the alphabet, '=' padding, a length
 * of 1 mod 4 and non-zero trailing bits — the same inputs `circuits/lib/jwt/src/base64.nr` rejects.
 */
import { VeilError } from '../errors.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Decodes base64url text; throws ERR_TOKEN_MALFORMED naming `what` on any non-canonical input. */
export function base64urlDecode(text: string, what = 'base64url text'): Uint8Array {
  if (text.length % 4 === 1) throw new VeilError('ERR_TOKEN_MALFORMED', `${what}: base64url length is 1 mod 4`);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 256 ? DECODE[c]! : -1;
    if (v < 0) throw new VeilError('ERR_TOKEN_MALFORMED', `${what}: character ${JSON.stringify(text[i])} outside the base64url alphabet`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new VeilError('ERR_TOKEN_MALFORMED', `${what}: non-zero trailing bits`);
  return out;
}

/** Encodes bytes as base64url without padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return s;
}
