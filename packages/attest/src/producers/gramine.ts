/**
 * The Gramine-SGX producer, over Gramine's documented `/dev/attestation` pseudo-files
 * (Gramine docs, "Attestation and Secret Provisioning", low-level interface; manifest-syntax,
 * special keys):
 *   attestation_type        read: "none" | "epid" | "dcap"; we require "dcap" (the verifier is DCAP)
 *   my_target_info          read: this enclave's 512-byte sgx_target_info_t; bytes 0..32 = MRENCLAVE
 *   user_report_data        write exactly 64 bytes before reading the quote
 *   quote                   read: the DCAP quote embedding the last written user_report_data
 *   keys/_sgx_mrenclave     read: 16-byte SGX sealing key under the MRENCLAVE key policy
 *
 * The root directory is configurable so the producer can be exercised against a directory that
 * behaves like Gramine's. Writing report data then reading the quote is a two-step protocol on
 * process-wide state, so calls are serialised; the quote is checked to carry our report data and
 * our MRENCLAVE (quote v3/v4 SGX layout: 48-byte header, report body at 48, MRENCLAVE at 112,
 * REPORTDATA at 368) so a stale or foreign quote is never handed out. Signatures are NOT checked
 * here: that is the verifier's job on the other side.
 */
import { open, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { VeilError } from '@veil/crypto';
import { aReportData, type EvidenceProducer } from './producer.ts';

/** Where Gramine mounts its attestation pseudo-filesystem. */
export const GRAMINE_ATTESTATION_ROOT = '/dev/attestation';

const TARGET_INFO_LENGTH = 512;
const SEAL_KEY_LENGTH = 16;
const QUOTE_HEADER = 48;
const QUOTE_MRENCLAVE = QUOTE_HEADER + 64;
const QUOTE_REPORT_DATA = QUOTE_HEADER + 320;
const QUOTE_MIN = QUOTE_HEADER + 384;
/** Generous upper bound: a DCAP quote with its PEM PCK chain is ~5 KiB. */
const QUOTE_MAX = 64 * 1024;

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

async function readPseudo(root: string, name: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(join(root, name)));
  } catch (cause) {
    throw new VeilError('ERR_GRAMINE_UNAVAILABLE', `cannot read ${join(root, name)} (not running under Gramine-SGX?)`, { cause });
  }
}

/**
 * Opens the Gramine attestation interface under `root` and returns a producer for this enclave.
 *
 * @example
 * import { createGramineProducer } from '@veil/attest/producers/gramine';
 * const producer = await createGramineProducer(); // root defaults to /dev/attestation
 * @throws VeilError ERR_GRAMINE_UNAVAILABLE, ERR_GRAMINE_ATTESTATION_TYPE, ERR_GRAMINE_TARGET_INFO
 */
export async function createGramineProducer(opts: { root?: string } = {}): Promise<EvidenceProducer> {
  const root = opts.root ?? GRAMINE_ATTESTATION_ROOT;
  const type = new TextDecoder().decode(await readPseudo(root, 'attestation_type')).trim();
  if (type !== 'dcap') {
    throw new VeilError('ERR_GRAMINE_ATTESTATION_TYPE', `attestation_type is "${type}"; the manifest must set sgx.remote_attestation = "dcap"`);
  }
  const targetInfo = await readPseudo(root, 'my_target_info');
  if (targetInfo.length !== TARGET_INFO_LENGTH) {
    throw new VeilError('ERR_GRAMINE_TARGET_INFO', `my_target_info is ${targetInfo.length} bytes, expected ${TARGET_INFO_LENGTH}`);
  }
  const mrenclave = targetInfo.slice(0, 32);
  const measurement = bytesToHex(mrenclave);
  let queue: Promise<unknown> = Promise.resolve();

  async function quoteFor(reportData: Uint8Array): Promise<Uint8Array> {
    // Plain O_WRONLY as in Gramine's own example (no O_CREAT/O_TRUNC on a pseudo-file), one write.
    try {
      const fh = await open(join(root, 'user_report_data'), constants.O_WRONLY);
      try {
        const { bytesWritten } = await fh.write(reportData, 0, reportData.length);
        if (bytesWritten !== reportData.length) throw new Error(`short write (${bytesWritten} bytes)`);
      } finally {
        await fh.close();
      }
    } catch (cause) {
      throw new VeilError('ERR_GRAMINE_UNAVAILABLE', 'cannot write user_report_data', { cause });
    }
    const quote = await readPseudo(root, 'quote');
    if (quote.length < QUOTE_MIN || quote.length > QUOTE_MAX) {
      throw new VeilError('ERR_GRAMINE_QUOTE_INVALID', `quote has implausible length ${quote.length}`);
    }
    const tee = new DataView(quote.buffer, quote.byteOffset).getUint32(4, true);
    if (tee !== 0) throw new VeilError('ERR_GRAMINE_QUOTE_INVALID', `quote is not an SGX quote (tee_type ${tee})`);
    if (!same(quote.subarray(QUOTE_REPORT_DATA, QUOTE_REPORT_DATA + 64), reportData)) {
      throw new VeilError('ERR_GRAMINE_QUOTE_MISMATCH', 'quote does not carry the report data just written (stale quote?)');
    }
    if (!same(quote.subarray(QUOTE_MRENCLAVE, QUOTE_MRENCLAVE + 32), mrenclave)) {
      throw new VeilError('ERR_GRAMINE_QUOTE_MISMATCH', 'quote MRENCLAVE differs from my_target_info');
    }
    return quote;
  }

  return Object.freeze({
    type: 'sgx' as const,
    simulated: false as const,
    measurement,
    evidence(reportData: Uint8Array): Promise<Uint8Array> {
      const rd = aReportData(reportData).slice();
      const run = queue.then(() => quoteFor(rd));
      queue = run.catch(() => undefined);
      return run;
    },
    async sealKey(): Promise<Uint8Array> {
      const key = await readPseudo(root, 'keys/_sgx_mrenclave');
      if (key.length !== SEAL_KEY_LENGTH) {
        throw new VeilError('ERR_GRAMINE_SEAL_KEY', `_sgx_mrenclave key is ${key.length} bytes, expected ${SEAL_KEY_LENGTH}`);
      }
      return key;
    },
  });
}
