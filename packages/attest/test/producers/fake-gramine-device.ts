// A directory that behaves like Gramine's /dev/attestation for the producer tests.
// `user_report_data` and `quote` are named pipes: the device blocks reading the report data the
// producer writes, then serves a quote built from it through the `quote` pipe, exactly in the
// write-then-read order Gramine documents. The quote has the real SGX DCAP v3 layout (header,
// ISV report body, ECDSA signature data with a QE report and PCK cert-data slot) but is signed by
// a throwaway key, not by Intel: verifiers must reject it, the producer must only carry it.
import { mkdtemp, mkdir, writeFile, readFile, rm } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** Intel's QE vendor id, as found in real quotes. */
const QE_VENDOR_ID = Uint8Array.from([0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07]);

/** Builds a structurally valid SGX DCAP v3 quote for the given identity and report data. */
export function buildSgxQuoteV3(args: { mrenclave: Uint8Array; mrsigner: Uint8Array; reportData: Uint8Array; debug?: boolean }): Uint8Array {
  const header = new Uint8Array(48);
  const hv = new DataView(header.buffer);
  hv.setUint16(0, 3, true); // version
  hv.setUint16(2, 2, true); // attestation key type: ECDSA-256-with-P-256
  hv.setUint32(4, 0, true); // tee type: SGX
  hv.setUint16(8, 8, true); // QE SVN
  hv.setUint16(10, 13, true); // PCE SVN
  header.set(QE_VENDOR_ID, 12);
  const body = new Uint8Array(384);
  body[48] = 0x05 | (args.debug ? 0x02 : 0); // attributes.flags: INIT | MODE64BIT (| DEBUG)
  body[56] = 0x03; // attributes.xfrm
  body.set(args.mrenclave, 64);
  body.set(args.mrsigner, 128);
  new DataView(body.buffer).setUint16(256, 1, true); // ISV prod id
  new DataView(body.buffer).setUint16(258, 2, true); // ISV SVN
  body.set(args.reportData, 320);

  const attSk = p256.utils.randomSecretKey();
  const attPub = p256.getPublicKey(attSk, false).subarray(1);
  const isvSig = p256.sign(new Uint8Array([...header, ...body]), attSk);
  const qeAuth = crypto.getRandomValues(new Uint8Array(32));
  const qeReport = new Uint8Array(384);
  qeReport.set(sha256(new Uint8Array([...attPub, ...qeAuth])), 320); // binding of the attestation key
  const qeSig = p256.sign(qeReport, p256.utils.randomSecretKey());
  const certData = new TextEncoder().encode('-----BEGIN CERTIFICATE-----\n(not an Intel chain)\n-----END CERTIFICATE-----\n');
  const sigData = new Uint8Array(64 + 64 + 384 + 64 + 2 + qeAuth.length + 2 + 4 + certData.length);
  const sv = new DataView(sigData.buffer);
  let o = 0;
  sigData.set(isvSig, o); o += 64;
  sigData.set(attPub, o); o += 64;
  sigData.set(qeReport, o); o += 384;
  sigData.set(qeSig, o); o += 64;
  sv.setUint16(o, qeAuth.length, true); o += 2;
  sigData.set(qeAuth, o); o += qeAuth.length;
  sv.setUint16(o, 5, true); o += 2; // cert data type 5: PCK cert chain
  sv.setUint32(o, certData.length, true); o += 4;
  sigData.set(certData, o);
  const quote = new Uint8Array(48 + 384 + 4 + sigData.length);
  quote.set(header, 0);
  quote.set(body, 48);
  new DataView(quote.buffer).setUint32(432, sigData.length, true);
  quote.set(sigData, 436);
  return quote;
}

export interface FakeGramine {
  root: string;
  mrenclave: Uint8Array;
  sealKey: Uint8Array;
  /** Every report-data write the device saw, in order. */
  writes: Uint8Array[];
  stop(): Promise<void>;
}

/** Creates the device directory and starts serving quotes (bounded by `maxQuotes`). */
export async function startFakeGramine(opts: { attestationType?: string; maxQuotes?: number; tamper?: (q: Uint8Array) => Uint8Array } = {}): Promise<FakeGramine> {
  const root = await mkdtemp(join(tmpdir(), 'veil-fake-gramine-'));
  const mrenclave = crypto.getRandomValues(new Uint8Array(32));
  const mrsigner = crypto.getRandomValues(new Uint8Array(32));
  const sealKey = crypto.getRandomValues(new Uint8Array(16));
  const targetInfo = new Uint8Array(512);
  targetInfo.set(mrenclave, 0);
  await writeFile(join(root, 'attestation_type'), `${opts.attestationType ?? 'dcap'}\n`);
  await writeFile(join(root, 'my_target_info'), targetInfo);
  await mkdir(join(root, 'keys'));
  await writeFile(join(root, 'keys', '_sgx_mrenclave'), sealKey);
  execFileSync('mkfifo', [join(root, 'user_report_data'), join(root, 'quote')]);
  const writes: Uint8Array[] = [];
  let stopping = false;
  let done = false;
  const maxQuotes = opts.maxQuotes ?? 16;
  const loop = (async () => {
    for (let i = 0; i < maxQuotes; i++) {
      const rd = new Uint8Array(await readFile(join(root, 'user_report_data')));
      if (stopping) return;
      writes.push(rd);
      // Gramine rejects report data that is not exactly 64 bytes; serve a quote only for valid writes.
      const reportData = rd.length === 64 ? rd : new Uint8Array(64);
      let quote = buildSgxQuoteV3({ mrenclave, mrsigner, reportData });
      if (opts.tamper) quote = opts.tamper(quote);
      await writeFile(join(root, 'quote'), quote);
    }
  })().finally(() => {
    done = true;
  });
  return {
    root,
    mrenclave,
    sealKey,
    writes,
    async stop() {
      stopping = true;
      // Unblock a pending read of the report-data pipe, then clean up.
      if (!done) await writeFile(join(root, 'user_report_data'), new Uint8Array(0));
      await loop.catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
