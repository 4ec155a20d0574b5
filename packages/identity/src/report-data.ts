/**
 * The report-data binding of the enclave service: what the 64 bytes of SGX REPORTDATA (or of
 * simulation evidence) commit to.
 *
 *   reportData = SHA-512( tag ‖ 0x00 ‖ challenge (32 bytes) ‖ channelPublicKey (32-byte X25519) )
 *
 * Tags separate the uses, so evidence fetched over HTTP can never pass as a provisioning answer:
 *   "veil-enclave/evidence/v1"  GET /attestation/evidence
 *   "veil-enclave/provision/v1" the boot-time secret handshake
 * Both inputs are fixed-length, so the concatenation is unambiguous. The challenge gives freshness
 * (the verifier picks it), the channel key ties the evidence to the key secrets are encrypted to.
 */
import { sha512 } from '@noble/hashes/sha2.js';

/** Domain-separation tags of the two bindings. */
export const REPORT_DATA_TAGS = Object.freeze({
  evidence: 'veil-enclave/evidence/v1',
  provision: 'veil-enclave/provision/v1',
});

export type ReportDataPurpose = keyof typeof REPORT_DATA_TAGS;

/**
 * Computes the 64-byte report data that binds a challenge and a channel public key.
 *
 * @example
 * import { deriveReportData } from '@veil/identity/report-data';
 * const reportData = deriveReportData('evidence', challenge, channelPublicKey);
 * @throws TypeError on a wrong purpose or wrong lengths.
 */
export function deriveReportData(purpose: ReportDataPurpose, challenge: Uint8Array, channelPublicKey: Uint8Array): Uint8Array {
  const tag = REPORT_DATA_TAGS[purpose];
  if (typeof tag !== 'string' || !Object.hasOwn(REPORT_DATA_TAGS, purpose)) throw new TypeError('purpose must be "evidence" or "provision"');
  if (!(challenge instanceof Uint8Array) || challenge.length !== 32) throw new TypeError('challenge must be 32 bytes');
  if (!(channelPublicKey instanceof Uint8Array) || channelPublicKey.length !== 32) throw new TypeError('channelPublicKey must be 32 bytes');
  const t = new TextEncoder().encode(tag);
  const input = new Uint8Array(t.length + 1 + 64);
  input.set(t, 0);
  input.set(challenge, t.length + 1);
  input.set(channelPublicKey, t.length + 33);
  return sha512(input);
}
