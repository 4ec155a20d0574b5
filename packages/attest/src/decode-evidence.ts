/**
 * Turns an evidence file's bytes into the raw evidence the verifiers take. Accepted encodings, tried
 * in this order:
 * 1. JSON wrapper: an object, or an array holding one object, with a base64 `attestationReport`
 *    string (the Aleo oracle responses in the vectors);
 * 2. hex text (whitespace ignored, either case), e.g. virtee's `report_milan.hex`;
 * 3. base64 text (standard or URL-safe), e.g. nitrite's `.b64` files;
 * 4. anything else is taken as raw binary (quotes, COSE documents, SNP reports).
 * Binary evidence always contains bytes outside printable ASCII, so it never reads as text.
 */
import { fail, fromBase64, fromHex } from './lib/bytes.ts';

const CODE = 'ERR_INPUT_MALFORMED';
const MAX = 1024 * 1024;

function isText(b: Uint8Array): boolean {
  return b.every((x) => (x >= 0x20 && x < 0x7f) || x === 0x0a || x === 0x0d || x === 0x09);
}

/**
 * @example
 * import { decodeEvidence } from '@veil/attest/decode-evidence';
 * const quote = decodeEvidence(fileBytes);
 * @throws ERR_INPUT_MALFORMED (oversized, JSON without attestationReport, bad base64)
 */
export function decodeEvidence(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeEvidence: expected a Uint8Array');
  if (bytes.length > MAX) fail(CODE, `evidence file larger than ${MAX} bytes`);
  if (!isText(bytes)) return bytes;
  const text = new TextDecoder().decode(bytes).trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      fail(CODE, 'evidence file is not valid JSON', e);
    }
    if (Array.isArray(v)) {
      if (v.length !== 1) fail(CODE, 'JSON evidence array must hold exactly one response');
      v = v[0];
    }
    const report = (v as Record<string, unknown> | null)?.attestationReport;
    if (typeof report !== 'string') fail(CODE, 'JSON evidence has no attestationReport string');
    return fromBase64(report, CODE, 'attestationReport');
  }
  const compact = text.replace(/\s+/g, '');
  if (/^(?:[0-9a-fA-F]{2})+$/.test(compact)) return fromHex(compact, CODE);
  if (compact.length > 0) return fromBase64(compact, CODE, 'evidence');
  fail(CODE, 'evidence file is empty');
}
