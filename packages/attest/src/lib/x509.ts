/**
 * X.509 certificate chains and CRLs for attestation roots (RFC 5280 subset).
 *
 * Spec: RFC 5280 path building with a PINNED trust anchor: a path is accepted only if it ends at a
 * certificate whose DER is byte-identical (SHA-256) to one of the caller's trusted roots. Signatures
 * are checked over the exact `tbsCertificate` / `tbsCertList` bytes as they appear in the input.
 * Algorithms: ECDSA P-256/P-384 with SHA-256/384 (@noble/curves, high-S accepted as in OpenSSL),
 * RSASSA-PSS with SHA-256/384/512 (WebCrypto; AMD ARK/ASK/VCEK chains).
 * Checked: signatures, validity windows at the caller's time, basicConstraints cA on issuers,
 * path length ≤ 8. NOT checked: name constraints, policies, key usage bits, pathLenConstraint.
 * Parsing of fields (validity, extensions, CRL entries) uses @peculiar/asn1-x509; serial 0 is accepted
 * (AMD VCEKs carry it).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraints, Certificate, CertificateList, id_ce_basicConstraints } from '@peculiar/asn1-x509';
import { p256, p384 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { equalBytes, fail, fromBase64, fromHex, toHex } from './bytes.ts';
import { children, oidToString, readSingle, readTlv } from './der.ts';

export interface ParsedCert {
  der: Uint8Array;
  tbs: Uint8Array;
  sigAlg: Uint8Array;
  signature: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  serialHex: string;
  isCA: boolean;
  sha256: string;
  asn: Certificate;
}

const MAX_PEM_CERTS = 16;
const MAX_DEPTH = 8;

/** Splits the shared signed-object shape SEQUENCE { tbs, algId, BIT STRING } into its parts. */
function splitSigned(der: Uint8Array, code: string) {
  const outer = readSingle(der, code);
  if (outer.tag !== 0x30) fail(code, 'not a DER SEQUENCE');
  const parts = children(outer.value, code);
  if (parts.length !== 3 || parts[0]!.tag !== 0x30 || parts[1]!.tag !== 0x30 || parts[2]!.tag !== 0x03) {
    fail(code, 'not a signed X.509 structure');
  }
  const bits = parts[2]!.value;
  if (bits.length < 1 || bits[0] !== 0) fail(code, 'signature BIT STRING has unused bits');
  return { tbs: parts[0]!.raw, tbsFields: children(parts[0]!.value, code), sigAlg: parts[1]!.raw, signature: bits.subarray(1) };
}

/** Parses one DER certificate; `code` (default ERR_CERT_MALFORMED) for anything unparsable. */
export function parseCertificate(der: Uint8Array, code = 'ERR_CERT_MALFORMED'): ParsedCert {
  const { tbs, tbsFields, sigAlg, signature } = splitSigned(der, code);
  const i = tbsFields[0]?.tag === 0xa0 ? 1 : 0;
  if (tbsFields.length < i + 6) fail(code, 'tbsCertificate: missing fields');
  if (!equalBytes(tbsFields[i + 1]!.raw, sigAlg)) fail(code, 'signature algorithm differs inside and outside tbsCertificate');
  let asn: Certificate;
  try {
    asn = AsnConvert.parse(der, Certificate);
  } catch (e) {
    fail(code, 'certificate does not parse', e);
  }
  const t = asn.tbsCertificate;
  let isCA = false;
  const bc = t.extensions?.find((x) => x.extnID === id_ce_basicConstraints);
  if (bc) {
    try {
      isCA = AsnConvert.parse(bc.extnValue.buffer, BasicConstraints).cA;
    } catch (e) {
      fail(code, 'basicConstraints does not parse', e);
    }
  }
  return {
    der,
    tbs,
    sigAlg,
    signature,
    issuer: tbsFields[i + 2]!.raw,
    subject: tbsFields[i + 4]!.raw,
    spki: tbsFields[i + 5]!.raw,
    notBefore: t.validity.notBefore.getTime(),
    notAfter: t.validity.notAfter.getTime(),
    serialHex: toHex(new Uint8Array(t.serialNumber)),
    isCA,
    sha256: toHex(sha256(der)),
    asn,
  };
}

/** Decodes every CERTIFICATE block of a PEM text (at most 16). Non-PEM text → `code`. */
export function pemToDer(pem: string, code = 'ERR_CERT_MALFORMED'): Uint8Array[] {
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  const out: Uint8Array[] = [];
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    if (out.length === MAX_PEM_CERTS) fail(code, `more than ${MAX_PEM_CERTS} certificates`);
    out.push(fromBase64(m[1]!, code, 'PEM certificate'));
  }
  if (out.length === 0) fail(code, 'no PEM certificate found');
  return out;
}

const CURVES: Record<string, { curve: typeof p256 | typeof p384; name: string }> = {
  '1.2.840.10045.3.1.7': { curve: p256, name: 'P-256' },
  '1.3.132.0.34': { curve: p384, name: 'P-384' },
};
const HASHES: Record<string, { fn: (m: Uint8Array) => Uint8Array; web: string }> = {
  '2.16.840.1.101.3.4.2.1': { fn: sha256, web: 'SHA-256' },
  '2.16.840.1.101.3.4.2.2': { fn: sha384, web: 'SHA-384' },
  '2.16.840.1.101.3.4.2.3': { fn: sha512, web: 'SHA-512' },
};
const ECDSA_SIG: Record<string, (m: Uint8Array) => Uint8Array> = {
  '1.2.840.10045.4.3.2': sha256,
  '1.2.840.10045.4.3.3': sha384,
  '1.2.840.10045.4.3.4': sha512,
};

/** Public key of an EC SPKI: curve and uncompressed point. Throws `code` for anything else. */
export function ecPublicKey(spki: Uint8Array, code: string): { curve: typeof p256 | typeof p384; point: Uint8Array } {
  const seq = readSingle(spki, code);
  const [alg, key] = children(seq.value, code);
  if (!alg || !key || key.tag !== 0x03) fail(code, 'SubjectPublicKeyInfo malformed');
  const [oid, params] = children(alg.value, code);
  if (!oid || oidToString(oid.value) !== '1.2.840.10045.2.1' || !params || params.tag !== 0x06) fail(code, 'not an EC public key');
  const c = CURVES[oidToString(params.value)];
  if (!c) fail(code, 'unsupported EC curve');
  return { curve: c.curve, point: key.value.subarray(1) };
}

/** ECDSA over a digest; signature is DER or raw r‖s. False (never a throw) on a bad signature. */
export function ecdsaVerify(
  curve: typeof p256 | typeof p384,
  digest: Uint8Array,
  point: Uint8Array,
  sig: Uint8Array,
  format: 'der' | 'compact',
): boolean {
  try {
    return curve.verify(sig, digest, point, { prehash: false, lowS: false, format });
  } catch {
    return false;
  }
}

/** Parses RSASSA-PSS-params: hash (required: SHA-256/384/512) and salt length. */
function pssParams(sigAlg: Uint8Array, code: string): { hash: string; saltLength: number } {
  const [, params] = children(readSingle(sigAlg, code).value, code);
  if (!params || params.tag !== 0x30) fail(code, 'RSA-PSS without parameters (SHA-1 default) is not accepted');
  let hash: string | undefined;
  let saltLength = 20;
  for (const f of children(params.value, code)) {
    if (f.tag === 0xa0) {
      const [algId] = children(f.value, code);
      const [oid] = children(algId?.value ?? new Uint8Array(), code);
      hash = HASHES[oidToString(oid?.value ?? new Uint8Array())]?.web;
    } else if (f.tag === 0xa2) {
      const i = readTlv(f.value, 0, code);
      saltLength = 0;
      for (const b of i.value) saltLength = saltLength * 256 + b;
    }
  }
  if (!hash) fail(code, 'RSA-PSS hash not supported');
  return { hash, saltLength };
}

/**
 * Verifies `signature` (algorithm `sigAlg`, a DER AlgorithmIdentifier) over `data` with the key in
 * `spki`. Returns false on a wrong signature; throws `code` for unsupported algorithms/keys.
 */
export async function verifySigned(
  data: Uint8Array,
  sigAlg: Uint8Array,
  signature: Uint8Array,
  spki: Uint8Array,
  code: string,
): Promise<boolean> {
  const [oidTlv] = children(readSingle(sigAlg, code).value, code);
  const oid = oidToString(oidTlv?.value ?? new Uint8Array());
  const ecHash = ECDSA_SIG[oid];
  if (ecHash) {
    const { curve, point } = ecPublicKey(spki, code);
    return ecdsaVerify(curve, ecHash(data), point, signature, 'der');
  }
  if (oid === '1.2.840.113549.1.1.10') {
    const { hash, saltLength } = pssParams(sigAlg, code);
    let key: CryptoKey;
    try {
      key = await crypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSA-PSS', hash }, false, ['verify']);
    } catch (e) {
      fail(code, 'issuer RSA key does not import', e);
    }
    return crypto.subtle.verify({ name: 'RSA-PSS', saltLength }, key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
  }
  fail(code, `unsupported signature algorithm ${oid}`);
}

export interface ChainOptions {
  /** Trusted anchors (already parsed); a path must end at one of them, byte for byte. */
  roots: ParsedCert[];
  /** Validity of every certificate on the path is checked at this time. */
  at: Date;
  /** What the chain is for, used in error messages ("PCK", "Nitro", …). */
  what: string;
}

/**
 * Builds and checks the path leaf → … → pinned root from `certs` (leaf first; the rest in any order,
 * an embedded copy of the root is allowed). Returns the path, leaf first, root last.
 * @throws ERR_CERT_CHAIN (no issuer whose signature verifies, not a CA, too long),
 *   ERR_ROOT_UNTRUSTED (path ends at a self-signed certificate that is not pinned),
 *   ERR_CERT_EXPIRED / ERR_CERT_NOT_YET_VALID (a certificate on the path at `at`).
 */
export async function verifyChain(certs: ParsedCert[], opts: ChainOptions): Promise<ParsedCert[]> {
  if (certs.length === 0) fail('ERR_CERT_CHAIN', `${opts.what}: empty certificate chain`);
  const path: ParsedCert[] = [certs[0]!];
  const pool = certs.slice(1);
  for (;;) {
    const cur = path[path.length - 1]!;
    const pinned = opts.roots.find((r) => r.sha256 === cur.sha256);
    if (pinned) break;
    if (equalBytes(cur.issuer, cur.subject) && (await verifySigned(cur.tbs, cur.sigAlg, cur.signature, cur.spki, 'ERR_CERT_CHAIN'))) {
      fail('ERR_ROOT_UNTRUSTED', `${opts.what}: chain ends at an untrusted root (SHA-256 ${cur.sha256})`);
    }
    if (path.length > MAX_DEPTH) fail('ERR_CERT_CHAIN', `${opts.what}: chain longer than ${MAX_DEPTH}`);
    // Pinned roots first, so an embedded look-alike root never shadows the real one.
    const candidates = [...opts.roots, ...pool].filter((c) => equalBytes(c.subject, cur.issuer) && !path.includes(c));
    let issuer: ParsedCert | undefined;
    for (const c of candidates) {
      if (await verifySigned(cur.tbs, cur.sigAlg, cur.signature, c.spki, 'ERR_CERT_CHAIN')) {
        issuer = c;
        break;
      }
    }
    if (!issuer) fail('ERR_CERT_CHAIN', `${opts.what}: no issuer certificate verifies the signature of certificate ${path.length - 1}`);
    if (!issuer.isCA) fail('ERR_CERT_CHAIN', `${opts.what}: issuer is not a CA (basicConstraints)`);
    path.push(issuer);
  }
  for (const c of path) checkValidity(c, opts.at, opts.what);
  return path;
}

export function checkValidity(c: ParsedCert, at: Date, what: string): void {
  const t = at.getTime();
  if (t < c.notBefore.getTime()) {
    fail('ERR_CERT_NOT_YET_VALID', `${what}: certificate not valid before ${c.notBefore.toISOString()} (checked at ${at.toISOString()})`);
  }
  if (t > c.notAfter.getTime()) {
    fail('ERR_CERT_EXPIRED', `${what}: certificate expired at ${c.notAfter.toISOString()} (checked at ${at.toISOString()})`);
  }
}

export interface ParsedCrl {
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: Set<string>;
  tbs: Uint8Array;
  sigAlg: Uint8Array;
  signature: Uint8Array;
}

/** Parses a DER CRL (RFC 5280 §5). */
export function parseCrl(der: Uint8Array, code = 'ERR_COLLATERAL_MALFORMED'): ParsedCrl {
  const { tbs, tbsFields, sigAlg, signature } = splitSigned(der, code);
  const i = tbsFields[0]?.tag === 0x02 ? 1 : 0;
  if (!tbsFields[i + 1]) fail(code, 'CRL: missing issuer');
  let asn: CertificateList;
  try {
    asn = AsnConvert.parse(der, CertificateList);
  } catch (e) {
    fail(code, 'CRL does not parse', e);
  }
  const t = asn.tbsCertList;
  return {
    issuer: tbsFields[i + 1]!.raw,
    thisUpdate: t.thisUpdate.getTime(),
    nextUpdate: t.nextUpdate?.getTime(),
    revoked: new Set((t.revokedCertificates ?? []).map((r) => normSerial(new Uint8Array(r.userCertificate)))),
    tbs,
    sigAlg,
    signature,
  };
}

/** Serial numbers compared without leading zero bytes. */
export function normSerial(b: Uint8Array): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return toHex(b.subarray(i));
}

/**
 * Checks a CRL's signature by `issuer` and its window at `at`, then that none of `certs` it covers is
 * listed. @throws ERR_COLLATERAL_SIGNATURE, ERR_COLLATERAL_EXPIRED, ERR_CERT_REVOKED
 */
export async function checkCrl(crl: ParsedCrl, issuer: ParsedCert, certs: ParsedCert[], at: Date, what: string): Promise<void> {
  if (!equalBytes(crl.issuer, issuer.subject)) fail('ERR_COLLATERAL_SIGNATURE', `${what}: CRL issuer does not match its CA`);
  if (!(await verifySigned(crl.tbs, crl.sigAlg, crl.signature, issuer.spki, 'ERR_COLLATERAL_SIGNATURE'))) {
    fail('ERR_COLLATERAL_SIGNATURE', `${what}: CRL signature does not verify`);
  }
  const t = at.getTime();
  if (t < crl.thisUpdate.getTime() || (crl.nextUpdate && t > crl.nextUpdate.getTime())) {
    fail('ERR_COLLATERAL_EXPIRED', `${what}: CRL not valid at ${at.toISOString()}`);
  }
  for (const c of certs) {
    if (equalBytes(c.issuer, issuer.subject) && crl.revoked.has(normSerial(fromHex(c.serialHex)))) {
      fail('ERR_CERT_REVOKED', `${what}: certificate serial ${c.serialHex} is revoked`);
    }
  }
}
