/**
 * Parser for AWS Nitro Enclaves attestation documents.
 *
 * Spec: AWS Nitro Enclaves NSM attestation document ("Verifying the root of trust", 2020): a
 * COSE_Sign1 (RFC 8152 §4.2, tagged 18 or untagged) whose payload is a CBOR map with module_id,
 * digest, timestamp (ms), pcrs (index → 32/48/64 bytes), certificate (DER), cabundle (DER list, root
 * first), and optional public_key, user_data, nonce (≤ 1024 bytes each).
 * CBOR decoding uses cbor-x (maps decoded as Map, no records); the input is bounded (64 KiB), and
 * every decoder error surfaces as ERR_NITRO_MALFORMED. Only parses; verify-nitro.ts checks signatures.
 * The Sig_structure is re-encoded here by hand from the EXACT protected-header and payload bytes.
 */
import { Decoder } from 'cbor-x';
import { concat, fail, utf8Bytes } from './lib/bytes.ts';

const CODE = 'ERR_NITRO_MALFORMED';
export const MAX_NITRO_BYTES = 64 * 1024;

export interface ParsedNitroDocument {
  /** COSE algorithm from the protected header (-35 = ES384). */
  alg: number;
  protectedBytes: Uint8Array;
  payloadBytes: Uint8Array;
  signature: Uint8Array;
  /** Exact bytes the signature covers (RFC 8152 Sig_structure, external_aad empty). */
  sigStructure: Uint8Array;
  moduleId: string;
  digest: string;
  timestamp: number;
  pcrs: Map<number, Uint8Array>;
  certificate: Uint8Array;
  cabundle: Uint8Array[];
  publicKey: Uint8Array | null;
  userData: Uint8Array | null;
  nonce: Uint8Array | null;
}

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false } as ConstructorParameters<typeof Decoder>[0]);

function decode(bytes: Uint8Array, what: string): unknown {
  try {
    return decoder.decode(bytes);
  } catch (e) {
    fail(CODE, `${what}: invalid CBOR`, e);
  }
}

function bstr(v: unknown, what: string, max = MAX_NITRO_BYTES): Uint8Array {
  if (!(v instanceof Uint8Array)) fail(CODE, `${what}: expected a byte string`);
  if (v.length > max) fail(CODE, `${what}: longer than ${max} bytes`);
  return new Uint8Array(v.buffer, v.byteOffset, v.length);
}

function optBstr(v: unknown, what: string): Uint8Array | null {
  return v === null || v === undefined ? null : bstr(v, what, 1024);
}

/** CBOR head for major type `mt` and length `n` (n < 2^32). */
function head(mt: number, n: number): Uint8Array {
  if (n < 24) return new Uint8Array([(mt << 5) | n]);
  if (n < 0x100) return new Uint8Array([(mt << 5) | 24, n]);
  if (n < 0x10000) return new Uint8Array([(mt << 5) | 25, n >> 8, n & 0xff]);
  return new Uint8Array([(mt << 5) | 26, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

/** Sig_structure = ["Signature1", protected, external_aad = h'', payload]. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const ctx = utf8Bytes('Signature1');
  return concat(new Uint8Array([0x84]), head(3, ctx.length), ctx, head(2, protectedBytes.length), protectedBytes, head(2, 0), head(2, payload.length), payload);
}

/**
 * Parses a Nitro attestation document (raw COSE_Sign1 bytes).
 * @example
 * import { parseNitroDocument } from '@veil/attest/parse-nitro';
 * const doc = parseNitroDocument(bytes); doc.pcrs.get(0)
 * @throws ERR_NITRO_MALFORMED
 */
export function parseNitroDocument(input: Uint8Array): ParsedNitroDocument {
  if (!(input instanceof Uint8Array)) throw new TypeError('parseNitroDocument: input must be a Uint8Array');
  if (input.length > MAX_NITRO_BYTES) fail(CODE, `document larger than ${MAX_NITRO_BYTES} bytes`);
  let top = decode(input, 'COSE_Sign1');
  if (top && typeof top === 'object' && 'tag' in top && 'value' in top) {
    if ((top as { tag: unknown }).tag !== 18) fail(CODE, 'unexpected CBOR tag (COSE_Sign1 is 18)');
    top = (top as { value: unknown }).value;
  }
  if (!Array.isArray(top) || top.length !== 4) fail(CODE, 'COSE_Sign1 must be an array of 4');
  const protectedBytes = bstr(top[0], 'protected header');
  if (!(top[1] instanceof Map)) fail(CODE, 'unprotected header must be a map');
  const payloadBytes = bstr(top[2], 'payload');
  const signature = bstr(top[3], 'signature');
  const ph = decode(protectedBytes, 'protected header');
  if (!(ph instanceof Map)) fail(CODE, 'protected header must be a map');
  const alg = ph.get(1);
  if (typeof alg !== 'number') fail(CODE, 'protected header has no algorithm');

  const p = decode(payloadBytes, 'payload');
  if (!(p instanceof Map)) fail(CODE, 'payload must be a map');
  const moduleId = p.get('module_id');
  const digest = p.get('digest');
  const ts = p.get('timestamp');
  if (typeof moduleId !== 'string' || moduleId.length === 0 || moduleId.length > 256) fail(CODE, 'module_id must be a non-empty string');
  if (typeof digest !== 'string') fail(CODE, 'digest must be a string');
  const timestamp = typeof ts === 'bigint' ? Number(ts) : ts;
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) fail(CODE, 'timestamp must be an unsigned integer');
  const rawPcrs = p.get('pcrs');
  if (!(rawPcrs instanceof Map) || rawPcrs.size === 0 || rawPcrs.size > 32) fail(CODE, 'pcrs must be a map of 1..32 entries');
  const pcrs = new Map<number, Uint8Array>();
  for (const [k, v] of rawPcrs) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= 32) fail(CODE, 'PCR index must be 0..31');
    const b = bstr(v, `PCR${k}`);
    if (![32, 48, 64].includes(b.length)) fail(CODE, `PCR${k} has length ${b.length}`);
    pcrs.set(k, b);
  }
  const certificate = bstr(p.get('certificate'), 'certificate');
  const cab = p.get('cabundle');
  if (!Array.isArray(cab) || cab.length === 0 || cab.length > 8) fail(CODE, 'cabundle must list 1..8 certificates');
  return {
    alg,
    protectedBytes,
    payloadBytes,
    signature,
    sigStructure: sigStructure(protectedBytes, payloadBytes),
    moduleId,
    digest,
    timestamp,
    pcrs,
    certificate,
    cabundle: cab.map((c, i) => bstr(c, `cabundle[${i}]`)),
    publicKey: optBstr(p.get('public_key'), 'public_key'),
    userData: optBstr(p.get('user_data'), 'user_data'),
    nonce: optBstr(p.get('nonce'), 'nonce'),
  };
}
