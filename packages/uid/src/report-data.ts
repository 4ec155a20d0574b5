/**
 * The report-data bindings of the UID protocol (64 bytes = SHA-512, the size of SGX REPORTDATA):
 *
 *   node evidence  SHA-512( "veil-uid/evidence/v1" ‖ 0x00 ‖ challenge(32) ‖ publicShare(32) ‖ groupPublicKey(32) )
 *     — a UID node proves that attested code holds the share behind publicShare, in that group,
 *       fresh for the verifier's challenge.
 *   caller evidence  SHA-512( "veil-uid/evaluate/v1" ‖ 0x00 ‖ u16be(#nonces) ‖ nonce_1..m (32 each)
 *                              ‖ u16be(#elements) ‖ B_1..B_n (32 each) )
 *     — the identity service proves that attested code asks for exactly these blinded elements,
 *       in answer to these single-use nonces (one per UID node it asks, so ONE piece of evidence
 *       covers a whole threshold round). A node accepts it only when its own live nonce is listed.
 * Every field has a fixed length or a count in front, so the encodings are unambiguous; the tags
 * keep one binding from passing as the other or as the enclave service's.
 * The distributed key generation's bindings (join, deal, check) are in dkg/files.ts, tagged alike.
 */
import { sha512 } from '@noble/hashes/sha2.js';

const enc = new TextEncoder();

/** Domain-separation tags. */
export const UID_REPORT_DATA_TAGS = Object.freeze({ evidence: 'veil-uid/evidence/v1', evaluate: 'veil-uid/evaluate/v1' });

function fixed(b: Uint8Array, len: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== len) throw new TypeError(`${what} must be ${len} bytes`);
  return b;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >>> 8, n & 0xff);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Report data of a UID node's evidence.
 *
 * @example
 * import { deriveNodeReportData } from '@veil/uid/report-data';
 * const rd = deriveNodeReportData(challenge, publicShare, groupPublicKey);
 * @throws TypeError on wrong lengths.
 */
export function deriveNodeReportData(challenge: Uint8Array, publicShare: Uint8Array, groupPublicKey: Uint8Array): Uint8Array {
  return sha512(
    concat([enc.encode(UID_REPORT_DATA_TAGS.evidence), Uint8Array.of(0), fixed(challenge, 32, 'challenge'), fixed(publicShare, 32, 'publicShare'), fixed(groupPublicKey, 32, 'groupPublicKey')]),
  );
}

/**
 * Report data the caller's (identity service's) evidence must carry for an evaluation.
 *
 * @example
 * import { deriveEvaluateReportData } from '@veil/uid/report-data';
 * const rd = deriveEvaluateReportData([nonceA, nonceB], [blinded]);
 * @throws TypeError on wrong lengths or counts (1..255 nonces, 1..65535 elements).
 */
export function deriveEvaluateReportData(nonces: readonly Uint8Array[], blinded: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(nonces) || nonces.length < 1 || nonces.length > 255) throw new TypeError('nonces must hold 1..255 entries');
  if (!Array.isArray(blinded) || blinded.length < 1 || blinded.length > 0xffff) throw new TypeError('blinded must hold 1..65535 entries');
  return sha512(
    concat([
      enc.encode(UID_REPORT_DATA_TAGS.evaluate),
      Uint8Array.of(0),
      u16(nonces.length),
      ...nonces.map((n, i) => fixed(n, 32, `nonces[${i}]`)),
      u16(blinded.length),
      ...blinded.map((b, i) => fixed(b, 32, `blinded[${i}]`)),
    ]),
  );
}
