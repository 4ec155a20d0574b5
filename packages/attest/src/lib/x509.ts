/**
 * X.509 certificate chains and CRLs for attestation roots (RFC 5280 subset), on @peculiar/x509.
 *
 * Spec: RFC 5280 path building with a PINNED trust anchor: a path is accepted only if it ends at a
 * certificate whose DER is byte-identical (SHA-256) to one of the caller's trusted roots.
 * Library: @peculiar/x509 parses certificates and CRLs, builds the path (`X509ChainBuilder`: issuer
 * name, AKI/SKI, signature, no cycles) and verifies certificate and CRL signatures through
 * WebCrypto (ECDSA P-256/P-384 with SHA-256/384/512, high-S accepted as OpenSSL does; RSASSA-PSS for
 * AMD ARK/ASK/VCEK chains). The builder checks no validity, CA or trust rules; this file adds them:
 * validity windows at the caller's time, basicConstraints cA, keyUsage keyCertSign (and cRLSign for
 * CRL issuers) when the extension is present, pathLenConstraint, DER-identical issuer/subject names,
 * path length ≤ 8, no supplied certificate left off the path (other than a copy of the pinned root).
 * NOT checked: name constraints, certificate policies, unknown critical extensions.
 * Kept here because the library does not do it (each small): the library reads BER, so the input
 * must re-encode to itself, with definite lengths and primitive strings only — the unsigned envelope
 * (outer lengths, algorithm, BIT STRING) then has one encoding and no byte of it goes unchecked;
 * an ECDSA signature value must itself be DER SEQUENCE { INTEGER, INTEGER } (the library reads r and
 * s without checking the SEQUENCE tag: a flipped tag bit in a CRL verified); a certificate's outer
 * signature algorithm must equal the one inside tbsCertificate (RFC 5280 §4.1.1.2; the library
 * checks this for CRLs only); duplicate extensions are rejected (§4.2); PEM text is split strictly
 * (the library's PEM reader skips other text). Serial 0 is accepted (AMD
 * VCEKs carry it). Parsed certificates are cached by the SHA-256 of their DER (parsing is pure), so
 * a chain seen again — the pinned roots, a platform's PCK chain, a tamper sweep — is parsed once.
 */
// tsyringe, which @peculiar/x509 uses internally, needs the Reflect metadata API before it loads.
import 'reflect-metadata/lite';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, fail, fromBase64, fromHex, toHex } from './bytes.ts';

export interface ParsedCert {
  readonly der: Uint8Array;
  readonly cert: x509.X509Certificate;
  /** DER of the issuer and subject Names. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serialHex: string;
  readonly isCA: boolean;
  /** basicConstraints pathLenConstraint, when present. */
  readonly pathLength?: number;
  /** keyUsage bits (x509.KeyUsageFlags), when the extension is present. */
  readonly keyUsage?: number;
  readonly sha256: string;
  /** Extension OID → the extnValue OCTET STRING's content. */
  readonly extensions: ReadonlyMap<string, Uint8Array>;
}

const MAX_PEM_CERTS = 16;
const MAX_PATH = 8;
const CACHE_SIZE = 256;

const UNIVERSAL = 1;
const SEQUENCE = 16;
const SET = 17;

/** Definite lengths everywhere, and only SEQUENCE / SET / tagged values constructed (DER). */
function definiteAndPrimitiveStrings(node: asn1js.AsnType): boolean {
  if (node.lenBlock.isIndefiniteForm) return false;
  const { tagClass, tagNumber, isConstructed } = node.idBlock;
  if (!isConstructed) return true;
  if (tagClass === UNIVERSAL && tagNumber !== SEQUENCE && tagNumber !== SET) return false;
  return (node.valueBlock as unknown as { value: asn1js.AsnType[] }).value.every(definiteAndPrimitiveStrings);
}

const ECDSA_WITH_SHA2 = '1.2.840.10045.4.3.';

/**
 * An ECDSA signature is itself DER inside the BIT STRING: SEQUENCE { INTEGER r, INTEGER s }. The
 * library reads r and s without checking the SEQUENCE tag, so it is checked here.
 */
function aEcdsaSigValue(sig: Uint8Array, code: string, what: string): void {
  let parsed: ReturnType<typeof asn1js.fromBER> | undefined;
  try {
    parsed = asn1js.fromBER(sig);
  } catch {
    parsed = undefined;
  }
  const seq = parsed?.offset === sig.length ? parsed.result : undefined;
  const ints = seq instanceof asn1js.Sequence && !seq.lenBlock.isIndefiniteForm ? seq.valueBlock.value : [];
  if (ints.length !== 2 || !ints.every((i) => i instanceof asn1js.Integer) || !equalBytes(new Uint8Array(seq!.toBER()), sig)) {
    fail(code, `${what}: ECDSA signature is not a DER SEQUENCE of two INTEGERs`);
  }
}

/**
 * Checks the shared signed shape SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING } in DER and
 * returns the algorithm identifier's DER and the tbs fields.
 */
function aSignedDer(der: Uint8Array, code: string, what: string): { sigAlg: Uint8Array; tbsFields: asn1js.AsnType[] } {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(der);
  } catch (e) {
    fail(code, `${what}: not DER`, e);
  }
  const { offset, result } = parsed;
  if (offset !== der.length || result.error) fail(code, `${what}: not a single DER element`);
  if (!definiteAndPrimitiveStrings(result) || !equalBytes(new Uint8Array(result.toBER()), der)) fail(code, `${what}: not DER`);
  const parts = result instanceof asn1js.Sequence ? result.valueBlock.value : [];
  const [tbs, alg, bits] = parts;
  if (parts.length !== 3 || !(tbs instanceof asn1js.Sequence) || !(alg instanceof asn1js.Sequence) || !(bits instanceof asn1js.BitString)) {
    fail(code, `${what}: not a signed X.509 structure`);
  }
  if (bits.valueBlock.unusedBits !== 0) fail(code, `${what}: signature BIT STRING has unused bits`);
  const [oid] = alg.valueBlock.value;
  if (oid instanceof asn1js.ObjectIdentifier && oid.valueBlock.toString().startsWith(ECDSA_WITH_SHA2)) aEcdsaSigValue(bits.valueBlock.valueHexView, code, what);
  return { sigAlg: new Uint8Array(alg.toBER()), tbsFields: tbs.valueBlock.value };
}

/**
 * Parsed objects by the SHA-256 of their DER, oldest evicted first. Parsing is a pure function of
 * the bytes (and the objects are frozen), so a hit is the same result; only failures are not cached.
 */
function contentCache<T>(): (der: Uint8Array, parse: (copy: Uint8Array<ArrayBuffer>, fingerprint: string) => T) => T {
  const entries = new Map<string, T>();
  return (der, parse) => {
    const fingerprint = toHex(sha256(der));
    const hit = entries.get(fingerprint);
    if (hit) return hit;
    // A copy: the caller may reuse its buffer, and the cached object must keep these bytes.
    const value = parse(der.slice(), fingerprint);
    if (entries.size >= CACHE_SIZE) entries.delete(entries.keys().next().value!);
    entries.set(fingerprint, value);
    return value;
  };
}

const certCache = contentCache<ParsedCert>();
const crlCache = contentCache<ParsedCrl>();

/**
 * Parses one DER certificate; `code` (default ERR_CERT_MALFORMED) for anything unparsable or not DER.
 * @throws `code`
 */
export function parseCertificate(der: Uint8Array, code = 'ERR_CERT_MALFORMED'): ParsedCert {
  return certCache(der, (copy, fingerprint) => parseCertificateUncached(copy, fingerprint, code));
}

function parseCertificateUncached(der: Uint8Array<ArrayBuffer>, fingerprint: string, code: string): ParsedCert {
  const { sigAlg, tbsFields } = aSignedDer(der, code, 'certificate');
  // tbsCertificate: [0] version (optional), serialNumber, signature, …
  const inner = tbsFields[tbsFields[0]?.idBlock.tagClass === 3 ? 2 : 1];
  if (!inner || !equalBytes(new Uint8Array(inner.toBER()), sigAlg)) fail(code, 'signature algorithm differs inside and outside tbsCertificate');
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der);
    const extensions = new Map<string, Uint8Array>();
    for (const ext of cert.extensions) {
      if (extensions.has(ext.type)) fail(code, `duplicate extension ${ext.type}`);
      extensions.set(ext.type, new Uint8Array(ext.value));
    }
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    return Object.freeze({
      der,
      cert,
      issuer: new Uint8Array(cert.issuerName.toArrayBuffer()),
      subject: new Uint8Array(cert.subjectName.toArrayBuffer()),
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      serialHex: cert.serialNumber.toLowerCase(),
      isCA: bc?.ca === true,
      ...(bc?.pathLength !== undefined ? { pathLength: bc.pathLength } : {}),
      ...(ku ? { keyUsage: ku.usages } : {}),
      sha256: fingerprint,
      extensions,
    });
  } catch (e) {
    if ((e as { code?: unknown }).code === code) throw e;
    fail(code, `certificate: ${(e as Error).message}`, e);
  }
}

/**
 * Decodes a PEM text that is NOTHING BUT certificate blocks separated by line breaks (at most 16):
 * any other text, a broken armour line or non-standard base64 is rejected with `code`, so no byte
 * of a certificate list can be altered without detection.
 * @throws `code`
 */
export function pemToDer(pem: string, code = 'ERR_CERT_MALFORMED'): Uint8Array[] {
  const re = /[\r\n]*-----BEGIN CERTIFICATE-----([A-Za-z0-9+/\r\n]+={0,2}[\r\n]*)-----END CERTIFICATE-----[\r\n]*/y;
  const out: Uint8Array[] = [];
  re.lastIndex = 0;
  while (re.lastIndex < pem.length) {
    const m = re.exec(pem);
    if (!m) fail(code, 'PEM: text other than CERTIFICATE blocks');
    if (out.length === MAX_PEM_CERTS) fail(code, `more than ${MAX_PEM_CERTS} certificates`);
    out.push(fromBase64(m[1]!, code, 'PEM certificate'));
  }
  if (out.length === 0) fail(code, 'no PEM certificate found');
  return out;
}

export type EcCurve = 'P-256' | 'P-384';
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** WebCrypto, or a loud environment error (browsers expose it only in secure contexts). */
function webCrypto(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('WebCrypto (crypto.subtle) is unavailable: browsers provide it only in secure contexts (https, localhost)');
  return subtle;
}

const importedKeys = new Map<string, Promise<CryptoKey>>();

/**
 * WebCrypto's importKey for public keys, memoised on the key bytes and parameters (an imported
 * public key is immutable): the chain builder imports the issuer's key for every signature it
 * checks, the pinned roots' on every call. Signatures themselves are verified every time.
 */
function importPublicKey(format: 'spki' | 'raw', data: BufferSource, alg: Parameters<SubtleCrypto['importKey']>[2], extractable: boolean, usages: KeyUsage[]): Promise<CryptoKey> {
  const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  const id = `${format}:${toHex(bytes)}:${JSON.stringify(alg)}:${extractable}:${usages.join()}`;
  let key = importedKeys.get(id);
  if (!key) {
    key = webCrypto().importKey(format, bytes.slice(), alg, extractable, usages);
    key.catch(() => importedKeys.delete(id));
    if (importedKeys.size >= CACHE_SIZE) importedKeys.delete(importedKeys.keys().next().value!);
    importedKeys.set(id, key);
  }
  return key;
}

/**
 * The Crypto handed to @peculiar/x509: WebCrypto with public-key imports memoised (see
 * importPublicKey) and SHA-1 thumbprints (the builder's cycle check) memoised per certificate buffer.
 */
function libraryCrypto(): Crypto {
  const subtle = webCrypto();
  const digests = new WeakMap<object, Promise<ArrayBuffer>>();
  const facade = {
    importKey: (format: KeyFormat, data: BufferSource, alg: Parameters<SubtleCrypto['importKey']>[2], extractable: boolean, usages: KeyUsage[]) =>
      format === 'spki' || format === 'raw' ? importPublicKey(format, data, alg, extractable, usages) : subtle.importKey(format as 'pkcs8', data, alg, extractable, usages),
    verify: (...args: Parameters<SubtleCrypto['verify']>) => subtle.verify(...args),
    digest: (alg: AlgorithmIdentifier, data: BufferSource) => {
      if (alg !== 'SHA-1' || !(data instanceof ArrayBuffer)) return subtle.digest(alg, data);
      let d = digests.get(data);
      if (!d) digests.set(data, (d = subtle.digest(alg, data)));
      return d;
    },
  };
  return { subtle: facade as unknown as SubtleCrypto, getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) } as Crypto;
}
let sharedLibraryCrypto: Crypto | undefined;
const x509Crypto = () => (sharedLibraryCrypto ??= libraryCrypto());

/**
 * The certificate's public key for ECDSA verification; `code` unless it is an EC key on `curve`.
 * @throws `code`
 */
export async function ecCertKey(c: ParsedCert, curve: EcCurve, code: string): Promise<CryptoKey> {
  const alg = c.cert.publicKey.algorithm as EcKeyAlgorithm;
  if (alg.name !== 'ECDSA' || alg.namedCurve !== curve) fail(code, `certificate key is not an ECDSA ${curve} key`);
  try {
    return await importPublicKey('spki', c.cert.publicKey.rawData, { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
  } catch (e) {
    fail(code, `certificate ${curve} key does not import`, e);
  }
}

/** An uncompressed EC point (0x04 ‖ x ‖ y) as a WebCrypto key; undefined if it is not on `curve`. */
export async function ecPointKey(curve: EcCurve, point: Uint8Array): Promise<CryptoKey | undefined> {
  try {
    return await importPublicKey('raw', point as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
  } catch {
    return undefined;
  }
}

/**
 * ECDSA verification of a fixed-size r‖s signature over `data` (hashed with `hash`). Returns false
 * (never throws) for a wrong or malformed signature.
 */
export async function ecdsaVerify(key: CryptoKey, hash: HashName, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
  const n = (key.algorithm as EcKeyAlgorithm).namedCurve === 'P-256' ? 32 : 48;
  if (sig.length !== 2 * n) return false;
  try {
    return await webCrypto().verify({ name: 'ECDSA', hash }, key, sig as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

export interface ChainOptions {
  /** Trusted anchors (already parsed); a path must end at one of them, byte for byte. */
  roots: ParsedCert[];
  /** Validity of every certificate on the path is checked at this time. */
  at: Date;
  /** What the chain is for, used in error messages ("PCK", "Nitro", …). */
  what: string;
}

const isPinned = (c: ParsedCert, roots: ParsedCert[]) => roots.some((r) => r.sha256 === c.sha256);

/**
 * Builds and checks the path leaf → … → pinned root from `certs` (leaf first; the rest in any order,
 * an embedded copy of the root is allowed). Returns the path, leaf first, root last.
 * @throws ERR_CERT_CHAIN (no issuer whose signature verifies, names that do not chain, an issuer that
 *   is not a CA or may not sign certificates, a path too long), ERR_ROOT_UNTRUSTED (path ends at a
 *   self-signed certificate that is not pinned), ERR_CERT_EXPIRED / ERR_CERT_NOT_YET_VALID (a
 *   certificate on the path at `at`).
 */
export async function verifyChain(certs: ParsedCert[], opts: ChainOptions): Promise<ParsedCert[]> {
  const { roots, what } = opts;
  if (certs.length === 0) fail('ERR_CERT_CHAIN', `${what}: empty certificate chain`);
  const [leaf, ...pool] = certs as [ParsedCert, ...ParsedCert[]];
  // Pinned roots first, so an embedded look-alike root never shadows the real one.
  const known = new Map<x509.X509Certificate, ParsedCert>([...roots, ...pool, leaf].map((c) => [c.cert, c]));
  let built: x509.X509Certificate[];
  try {
    built = [...(await new x509.X509ChainBuilder({ certificates: [...roots, ...pool].map((c) => c.cert) }).build(leaf.cert, x509Crypto()))];
  } catch (e) {
    fail('ERR_CERT_CHAIN', `${what}: ${(e as Error).message}`, e);
  }
  const full = built.map((c) => known.get(c)!);
  const end = full.findIndex((c) => isPinned(c, roots));
  if (end < 0) {
    const last = full[full.length - 1]!;
    if (await last.cert.isSelfSigned(x509Crypto())) fail('ERR_ROOT_UNTRUSTED', `${what}: chain ends at an untrusted root (SHA-256 ${last.sha256})`);
    fail('ERR_CERT_CHAIN', `${what}: no issuer certificate verifies the signature of certificate ${full.length - 1}`);
  }
  const path = full.slice(0, end + 1);
  if (path.length > MAX_PATH) fail('ERR_CERT_CHAIN', `${what}: chain longer than ${MAX_PATH}`);
  for (let i = 1; i < path.length; i++) {
    const issuer = path[i]!;
    if (!equalBytes(path[i - 1]!.issuer, issuer.subject)) fail('ERR_CERT_CHAIN', `${what}: issuer name of certificate ${i - 1} is not the subject of certificate ${i}`);
    if (!issuer.isCA) fail('ERR_CERT_CHAIN', `${what}: issuer is not a CA (basicConstraints)`);
    if (issuer.keyUsage !== undefined && !(issuer.keyUsage & x509.KeyUsageFlags.keyCertSign)) {
      fail('ERR_CERT_CHAIN', `${what}: issuer key usage does not allow certificate signing`);
    }
    // Intermediate CA certificates below this issuer (the leaf not counted), RFC 5280 §4.2.1.9.
    if (issuer.pathLength !== undefined && i - 1 > issuer.pathLength) fail('ERR_CERT_CHAIN', `${what}: pathLenConstraint of certificate ${i} exceeded`);
  }
  // Every certificate supplied must be on the path or be a copy of a pinned root, so no byte of
  // the evidence is left unchecked.
  for (const c of pool) {
    if (!path.includes(c) && !isPinned(c, roots)) fail('ERR_CERT_CHAIN', `${what}: certificate ${c.sha256} is not part of the chain`);
  }
  for (const c of path) checkValidity(c, opts.at, what);
  return path;
}

function checkValidity(c: ParsedCert, at: Date, what: string): void {
  const t = at.getTime();
  if (t < c.notBefore.getTime()) {
    fail('ERR_CERT_NOT_YET_VALID', `${what}: certificate not valid before ${c.notBefore.toISOString()} (checked at ${at.toISOString()})`);
  }
  if (t > c.notAfter.getTime()) {
    fail('ERR_CERT_EXPIRED', `${what}: certificate expired at ${c.notAfter.toISOString()} (checked at ${at.toISOString()})`);
  }
}

export interface ParsedCrl {
  readonly crl: x509.X509Crl;
  /** DER of the issuer Name. */
  readonly issuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** Revoked serial numbers, lowercase hex without leading zero bytes. */
  readonly revoked: ReadonlySet<string>;
}

/**
 * Parses a DER CRL (RFC 5280 §5).
 * @throws `code` (default ERR_COLLATERAL_MALFORMED)
 */
export function parseCrl(der: Uint8Array, code = 'ERR_COLLATERAL_MALFORMED'): ParsedCrl {
  return crlCache(der, (copy) => parseCrlUncached(copy, code));
}

function parseCrlUncached(der: Uint8Array<ArrayBuffer>, code: string): ParsedCrl {
  aSignedDer(der, code, 'CRL');
  try {
    const crl = new x509.X509Crl(der);
    const revoked = new Set(crl.entries.map((e) => normSerial(fromHex(e.serialNumber))));
    return Object.freeze({
      crl,
      issuer: new Uint8Array(crl.issuerName.toArrayBuffer()),
      thisUpdate: crl.thisUpdate,
      ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate } : {}),
      revoked,
    });
  } catch (e) {
    fail(code, `CRL: ${(e as Error).message}`, e);
  }
}

/** Serial numbers compared without leading zero bytes. */
export function normSerial(b: Uint8Array): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return toHex(b.subarray(i));
}

/**
 * Checks a CRL's signature by `issuer` (which must be allowed to sign CRLs) and its window at `at`,
 * then that none of `certs` it covers is listed.
 * @throws ERR_COLLATERAL_MISMATCH, ERR_COLLATERAL_SIGNATURE, ERR_COLLATERAL_EXPIRED, ERR_CERT_REVOKED
 */
export async function checkCrl(crl: ParsedCrl, issuer: ParsedCert, certs: ParsedCert[], at: Date, what: string): Promise<void> {
  if (!equalBytes(crl.issuer, issuer.subject)) fail('ERR_COLLATERAL_MISMATCH', `${what}: CRL issuer does not match its CA`);
  if (issuer.keyUsage !== undefined && !(issuer.keyUsage & x509.KeyUsageFlags.cRLSign)) {
    fail('ERR_COLLATERAL_SIGNATURE', `${what}: the CA's key usage does not allow CRL signing`);
  }
  let ok = false;
  try {
    // A key, not the certificate: given a certificate, the library takes the certificate's own
    // signature algorithm instead of the CRL's. An EC key is imported through the memo (the
    // library would import it afresh each time).
    const pub = issuer.cert.publicKey;
    const key = pub.algorithm.name === 'ECDSA' ? await importPublicKey('spki', pub.rawData, pub.algorithm as EcKeyImportParams, true, ['verify']) : pub;
    ok = await crl.crl.verify({ publicKey: key }, x509Crypto());
  } catch (e) {
    fail('ERR_COLLATERAL_SIGNATURE', `${what}: CRL signature does not verify`, e);
  }
  if (!ok) fail('ERR_COLLATERAL_SIGNATURE', `${what}: CRL signature does not verify`);
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
