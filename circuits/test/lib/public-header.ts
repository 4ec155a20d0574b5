/**
 * What every membership circuit's tests share about the public JWS header (veil_jwt::header): where
 * the decoded payload sits, and the header tamperings each circuit must refuse.
 */
import { publicHeaderValues, type HeaderInputValues } from '../../../packages/crypto/src/index.ts';
import { base64urlDecode, base64urlEncode } from '../../../packages/crypto/src/lib/base64url.ts';
import { fieldHex, packBytes } from '../../../packages/crypto/src/lib/pack.ts';
import { sha256PrefixState } from '../../../packages/crypto/src/lib/sha256-state.ts';

/** Offset of the decoded payload in the circuit's decoded buffer (base64.nr layout). */
export function payloadOffset(inputs: HeaderInputValues): number {
  const start = inputs.header_tail_len + 1;
  return (3 * (start - (start % 4))) / 4;
}

const MOVED_SEPARATOR = /header: signed header differs|base64url|assert_max_bit_size/;

/** `inputs` with the public header of base64url text `h64` instead of its own. */
function withHeader<T extends HeaderInputValues>(inputs: T, h64: string): T {
  const v = publicHeaderValues(h64);
  return { ...structuredClone(inputs), ...v, header_tail: v.header_tail.map(fieldHex) };
}

/**
 * Public-header changes a circuit must refuse, each as [what, inputs, the circuit's message or
 * undefined (any failure: the digest then differs, so RSA refuses)]: the header of another kid or
 * alg (what a bundle claiming it would make the verifier encode), the prefix state alone, one tail
 * byte alone, the tail length one more or one less, and a tail longer than the circuit's 66 bytes
 * (needs a header of at least 64 + 3 characters before the prefix cut).
 */
export function headerTamperings<T extends HeaderInputValues & { data: number[]; data_len: number }>(inputs: T, token: string): Array<[string, T, RegExp | undefined]> {
  const h64 = token.split('.')[0]!;
  const header = JSON.parse(new TextDecoder().decode(base64urlDecode(h64))) as Record<string, unknown>;
  const json = (h: Record<string, unknown>) => base64urlEncode(new TextEncoder().encode(JSON.stringify(h)));
  const state = structuredClone(inputs);
  state.header_state[0] = (state.header_state[0]! + 1) >>> 0;
  const tail = structuredClone(inputs);
  tail.header_tail[0] = fieldHex(BigInt(tail.header_tail[0]!) ^ 1n);
  const longer = structuredClone(inputs);
  longer.header_tail_len += 1;
  const shorter = structuredClone(inputs);
  shorter.header_tail_len -= 1;
  // The prefix one block shorter, so the tail is 64 bytes longer than the circuit compares; all
  // else consistent (state, data, data_len, and the tail's first 66 bytes, all the compare sees):
  // only the length bound refuses it.
  const overlong = structuredClone(inputs) as T & { data: number[]; data_len: number };
  const signed = new TextEncoder().encode(token.slice(0, token.lastIndexOf('.')));
  const prefixLen = inputs.header_prefix_len - 64;
  overlong.header_state = Array.from(sha256PrefixState(signed.subarray(0, prefixLen)));
  overlong.header_prefix_len = prefixLen;
  overlong.header_tail_len += 64;
  overlong.header_tail = packBytes(signed.subarray(prefixLen, prefixLen + 66), 3).map(fieldHex);
  overlong.data = Array.from({ length: overlong.data.length }, (_, i) => signed[prefixLen + i] ?? 0);
  overlong.data_len += 64;
  return [
    ['another kid', withHeader(inputs, json({ ...header, kid: `${String(header.kid).slice(0, -1)}8` })), undefined],
    ['another alg', withHeader(inputs, json({ ...header, alg: 'RS384' })), undefined],
    ['the prefix state alone', state, undefined],
    ['one tail byte alone', tail, /header: signed header differs/],
    // A moved '.' fails the decoder first: the byte at the new tail length is no '.' (its 6-bit check).
    ['the tail length + 1', longer, MOVED_SEPARATOR],
    ['the tail length - 1', shorter, MOVED_SEPARATOR],
    ...(prefixLen >= 0 ? [['a tail longer than 66 bytes', overlong as T, /header: tail length out of range/] as [string, T, RegExp]] : []),
  ];
}
