/**
 * Structure of a compact RS256 ID token as the membership circuits see it: the one place that
 * decodes a token (base64url, UTF-8 JSON), scans its payload (`json-scan.ts`, the circuit's scanner)
 * and measures it against the circuit's limits. Shared by `buildInputs` and `inspectToken`.
 * Throws only when the token cannot be decoded at all (ERR_TOKEN_MALFORMED); sizes, nesting and
 * duplicate keys are reported as facts for the callers to refuse. Verifies nothing.
 */
import { VeilError } from '../errors.ts';
import { base64urlDecode } from './base64url.ts';
import { duplicateTopLevelKey, jsonDepth, scanJson, topLevelMembers, type MemberPosition } from './json-scan.ts';

/** A decoded token and the facts the circuit's limits are checked against. */
export interface ParsedToken {
  /** base64url(header) as in the token. */
  h64: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  payloadBytes: Uint8Array;
  signature: Uint8Array;
  /** ASCII of `h64 '.' p64`: what RS256 signs. */
  signingInput: Uint8Array;
  /** Bytes of the signing input whose SHA-256 state is given to the circuit (whole 64-byte blocks inside the header). */
  prefixLen: number;
  /** Bytes the circuit hashes after the prefix. */
  dataLen: number;
  /** Deepest object/array nesting of the payload. */
  depth: number;
  /** A top-level key present more than once, if any. */
  duplicate: string | undefined;
  /** Top-level members as the circuit's scanner finds them (unescaped keys). */
  members: Map<string, MemberPosition>;
  /** The scanner's tags (`scanJson`). */
  tags: number[];
}

function parseJsonPart(bytes: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new VeilError('ERR_TOKEN_MALFORMED', `token ${what} is not UTF-8 JSON`, { cause: e });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new VeilError('ERR_TOKEN_MALFORMED', `token ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * Bytes of base64url(header) hashed outside the circuit: whole 64-byte blocks that end at least 3
 * characters before the '.' (so the circuit's data starts with 3..66 header characters and the '.').
 */
export function headerPrefixLen(h64Length: number): number {
  return Math.max(0, Math.floor((h64Length - 3) / 64) * 64);
}

/** Decodes a compact JWS; throws ERR_TOKEN_MALFORMED when it has not 3 base64url parts of JSON objects. */
export function parseToken(token: string): ParsedToken {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new VeilError('ERR_TOKEN_MALFORMED', `token has ${parts.length} parts, a JWS has 3`);
  const [h64, p64, s64] = parts as [string, string, string];
  const header = parseJsonPart(base64urlDecode(h64, 'token header'), 'header');
  const payloadBytes = base64urlDecode(p64, 'token payload');
  const payload = parseJsonPart(payloadBytes, 'payload');
  const signature = base64urlDecode(s64, 'token signature');
  const signingInput = new TextEncoder().encode(`${h64}.${p64}`);
  const prefixLen = headerPrefixLen(h64.length);
  return {
    h64,
    header,
    payload,
    payloadBytes,
    signature,
    signingInput,
    prefixLen,
    dataLen: signingInput.length - prefixLen,
    depth: jsonDepth(payloadBytes),
    duplicate: duplicateTopLevelKey(payloadBytes),
    members: topLevelMembers(payloadBytes),
    tags: scanJson(payloadBytes),
  };
}

/**
 * The text between the quotes of a top-level string member, exactly as written (escapes included),
 * or undefined when the member is absent or its value is not a string.
 */
export function rawTopLevelString(t: ParsedToken, name: string): string | undefined {
  const m = t.members.get(name);
  if (!m || t.payloadBytes[m.value] !== 0x22) return undefined;
  const close = t.tags.indexOf(t.tags[m.value]!, m.value + 1);
  return new TextDecoder().decode(t.payloadBytes.subarray(m.value + 1, close));
}
