/**
 * Verifies AWS Nitro Enclaves attestation documents and applies the attestation policy.
 *
 * Checks: COSE_Sign1 algorithm ES384 (-35) in the protected header; ECDSA P-384/SHA-384 signature
 * (r‖s, 96 bytes) over the Sig_structure by the document's leaf certificate; chain leaf ← cabundle
 * (last … first) to the pinned AWS Nitro Enclaves Root G1 (SHA-256 641a0321…bb5b), every certificate
 * valid at the caller's `at` (leaf certificates live ~3 hours, so verify at the document's time or
 * soon after); digest SHA384. Facts: measurement = PCR0, debug = PCR0, PCR1 and PCR2 all zero (AWS
 * documents debug-mode enclaves that way), reportData = user_data ('' if absent), nonce and
 * public_key in details. Not checked: the document timestamp against `at` (the caller compares
 * `details.timestamp` if it wants freshness), AWS CRLs (AWS publishes none for this chain).
 */
import { fail, isAllZero, toHex } from './lib/bytes.ts';
import { ecCertKey, ecdsaVerify, parseCertificate, verifyChain } from './lib/x509.ts';
import { parseNitroDocument } from './parse-nitro.ts';
import { aDate, applyPolicy, checkPolicy, type AttestationFacts, type AttestationPolicy } from './policy.ts';
import { AWS_NITRO_ROOT_G1_DER } from './roots.ts';

export interface VerifyNitroOptions extends AttestationPolicy {
  /** Verification time for the certificate chain (required). */
  at: Date;
  /** Trusted roots (DER). Default: AWS Nitro Enclaves Root G1 only. */
  trustedRoots?: Uint8Array[];
  /** Required nonce (hex or bytes), compared exactly when given. */
  nonce?: string | Uint8Array;
}

/**
 * Verifies a Nitro attestation document (raw COSE_Sign1 bytes) and returns its facts, or throws.
 * @example
 * import { verifyNitroDocument } from '@veil/attest/verify-nitro';
 * const facts = await verifyNitroDocument(cose, { at: new Date(), measurements: [pcr0Hex] });
 * @throws ERR_NITRO_MALFORMED, ERR_CERT_MALFORMED, ERR_CERT_CHAIN, ERR_ROOT_UNTRUSTED, ERR_CERT_EXPIRED,
 *   ERR_CERT_NOT_YET_VALID, ERR_NITRO_SIGNATURE, ERR_NONCE_MISMATCH, policy errors (ERR_DEBUG_NOT_ALLOWED, …)
 */
export async function verifyNitroDocument(input: Uint8Array, opts: VerifyNitroOptions): Promise<AttestationFacts> {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('verifyNitroDocument: options are required ({ at })');
  const at = aDate(opts.at);
  checkPolicy(opts);
  const roots = (opts.trustedRoots ?? [AWS_NITRO_ROOT_G1_DER]).map((d) => parseCertificate(d));
  const doc = parseNitroDocument(input);
  if (doc.alg !== -35) fail('ERR_NITRO_MALFORMED', `COSE algorithm ${doc.alg}, expected ES384 (-35)`);
  if (doc.digest !== 'SHA384') fail('ERR_NITRO_MALFORMED', `digest ${doc.digest}, expected SHA384`);
  if (doc.signature.length !== 96) fail('ERR_NITRO_MALFORMED', 'ES384 signature must be 96 bytes');
  const leaf = parseCertificate(doc.certificate);
  const path = await verifyChain([leaf, ...doc.cabundle.map((d) => parseCertificate(d)).reverse()], { roots, at, what: 'Nitro' });
  const key = await ecCertKey(leaf, 'P-384', 'ERR_NITRO_SIGNATURE');
  if (!(await ecdsaVerify(key, 'SHA-384', doc.sigStructure, doc.signature))) {
    fail('ERR_NITRO_SIGNATURE', 'COSE_Sign1 signature does not verify with the leaf certificate');
  }
  if (opts.nonce !== undefined) {
    const want = typeof opts.nonce === 'string' ? opts.nonce.toLowerCase() : toHex(opts.nonce);
    if (!doc.nonce || toHex(doc.nonce) !== want) fail('ERR_NONCE_MISMATCH', 'document nonce does not match');
  }
  const pcr = (i: number) => doc.pcrs.get(i);
  const measurements: Record<string, string> = {};
  for (const [k, v] of [...doc.pcrs].sort((a, b) => a[0] - b[0])) measurements[`pcr${k}`] = toHex(v);
  if (!pcr(0)) fail('ERR_NITRO_MALFORMED', 'document has no PCR0');
  const facts: AttestationFacts = {
    v: 1,
    tee: 'nitro',
    measurement: toHex(pcr(0)!),
    measurements,
    reportData: doc.userData ? toHex(doc.userData) : '',
    debug: [0, 1, 2].every((i) => pcr(i) !== undefined && isAllZero(pcr(i)!)),
    verifiedAt: at.toISOString(),
    details: {
      moduleId: doc.moduleId,
      digest: doc.digest,
      timestamp: new Date(doc.timestamp).toISOString(),
      userData: doc.userData ? toHex(doc.userData) : null,
      nonce: doc.nonce ? toHex(doc.nonce) : null,
      publicKey: doc.publicKey ? toHex(doc.publicKey) : null,
      chainSha256: path.map((c) => c.sha256),
      chainValidity: {
        notBefore: new Date(Math.max(...path.map((c) => c.notBefore.getTime()))).toISOString(),
        notAfter: new Date(Math.min(...path.map((c) => c.notAfter.getTime()))).toISOString(),
      },
    },
  };
  return applyPolicy(facts, opts);
}
