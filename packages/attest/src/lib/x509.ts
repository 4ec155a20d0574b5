/**
 * X.509 certificate chains and CRLs for attestation roots (RFC 5280 subset).
 *
 * Spec: RFC 5280 path building with a PINNED trust anchor: a path is accepted only if it ends at a
 * certificate whose DER is byte-identical (SHA-256) to one of the caller's trusted roots. Signatures
 * are checked over the exact `tbsCertificate` / `tbsCertList` bytes as they appear in the input.
 * Algorithms (all through WebCrypto, native in Node and browsers): ECDSA P-256/P-384 with
 * SHA-256/384/512 (high-S accepted, as OpenSSL does; DER signatures converted to r‖s here),
 * RSASSA-PSS with SHA-256/384/512 (AMD ARK/ASK/VCEK chains).
 * Checked: signatures, validity windows at the caller's time, basicConstraints cA on issuers,
 * path length ≤ 8, no supplied certificate left off the path (other than a copy of the pinned root). NOT checked: name constraints, policies, key usage bits, pathLenConstraint.
 * Fields are read with the strict DER walker in der.ts (definite lengths, exact nesting, UTCTime /
 * GeneralizedTime in their DER forms only). A reflection-based ASN.1 library was measured at ~10 ms
 * per certificate on the target machine, too slow for tamper sweeps, and only this small subset of
 * RFC 5280 is needed. Serial 0 is accepted (AMD VCEKs carry it); duplicate extensions are rejected.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, fail, fromBase64, fromHex, toHex } from './bytes.ts';
import { children, oidToString, readSingle, readTlv, type Tlv } from './der.ts';

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
  /** Extension OID → the extnValue OCTET STRING's content. */
  extensions: Map<string, Uint8Array>;
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

const parsed = new WeakMap<Uint8Array, ParsedCert>();

/** Parses one DER certificate; `code` (default ERR_CERT_MALFORMED) for anything unparsable. */
export function parseCertificate(der: Uint8Array, code = 'ERR_CERT_MALFORMED'): ParsedCert {
  // The pinned roots are parsed once; other inputs are fresh arrays and never hit the cache.
  const hit = parsed.get(der);
  if (hit) return hit;
  const cert = parseCertificateUncached(der, code);
  parsed.set(der, cert);
  return cert;
}

/** DER UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
export function derTime(t: { tag: number; value: Uint8Array }, code: string): Date {
  const str = String.fromCharCode(...t.value);
  const m =
    t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(str) : t.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(str) : null;
  if (!m) fail(code, 'invalid X.509 time');
  let y = Number(m[1]);
  if (t.tag === 0x17) y += y < 50 ? 2000 : 1900;
  const d = new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  if (Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m[3])) fail(code, 'invalid X.509 time');
  return d;
}

function parseExtensions(el: Tlv | undefined, code: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (!el) return out;
  const [seq] = children(el.value, code);
  if (!seq || seq.tag !== 0x30) fail(code, 'extensions: not a SEQUENCE');
  for (const ext of children(seq.value, code)) {
    const f = children(ext.value, code);
    const oid = f[0];
    const val = f[f.length - 1];
    if (ext.tag !== 0x30 || !oid || oid.tag !== 0x06 || !val || val.tag !== 0x04 || f.length > 3) fail(code, 'extension malformed');
    const id = oidToString(oid.value);
    if (out.has(id)) fail(code, `duplicate extension ${id}`);
    out.set(id, val.value);
  }
  return out;
}

function isCa(ext: Map<string, Uint8Array>, code: string): boolean {
  const bc = ext.get('2.5.29.19');
  if (!bc) return false;
  const [first] = children(readSingle(bc, code).value, code);
  return first?.tag === 0x01 && first.value.length === 1 && first.value[0] !== 0;
}

function parseCertificateUncached(der: Uint8Array, code: string): ParsedCert {
  const { tbs, tbsFields, sigAlg, signature } = splitSigned(der, code);
  const i = tbsFields[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, innerAlg, issuer, validity, subject, spki] = tbsFields.slice(i, i + 6);
  if (!serial || !innerAlg || !issuer || !validity || !subject || !spki) fail(code, 'tbsCertificate: missing fields');
  if (serial.tag !== 0x02 || issuer.tag !== 0x30 || validity.tag !== 0x30 || subject.tag !== 0x30 || spki.tag !== 0x30) {
    fail(code, 'tbsCertificate: unexpected field types');
  }
  if (!equalBytes(innerAlg.raw, sigAlg)) fail(code, 'signature algorithm differs inside and outside tbsCertificate');
  const times = children(validity.value, code);
  if (times.length !== 2) fail(code, 'validity: expected two times');
  const extensions = parseExtensions(
    tbsFields.slice(i + 6).find((f) => f.tag === 0xa3),
    code,
  );
  return {
    der,
    tbs,
    sigAlg,
    signature,
    issuer: issuer.raw,
    subject: subject.raw,
    spki: spki.raw,
    notBefore: derTime(times[0]!, code),
    notAfter: derTime(times[1]!, code),
    serialHex: toHex(serial.value),
    isCA: isCa(extensions, code),
    sha256: toHex(sha256(der)),
    extensions,
  };
}

/**
 * Decodes a PEM text that is NOTHING BUT certificate blocks separated by line breaks (at most 16):
 * any other text, a broken armour line or non-standard base64 is rejected with `code`, so no byte
 * of a certificate list can be altered without detection.
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

const CURVES: Record<string, EcCurve> = { '1.2.840.10045.3.1.7': 'P-256', '1.3.132.0.34': 'P-384' };
const HASHES: Record<string, HashName> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
const ECDSA_SIG: Record<string, HashName> = {
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512',
};

/** Public key of an EC SPKI: curve and uncompressed point. Throws `code` for anything else. */
export function ecPublicKey(spki: Uint8Array, code: string): { curve: EcCurve; point: Uint8Array } {
  const seq = readSingle(spki, code);
  const [alg, key] = children(seq.value, code);
  if (!alg || !key || key.tag !== 0x03 || key.value[0] !== 0) fail(code, 'SubjectPublicKeyInfo malformed');
  const [oid, params] = children(alg.value, code);
  if (!oid || oidToString(oid.value) !== '1.2.840.10045.2.1' || !params || params.tag !== 0x06) fail(code, 'not an EC public key');
  const curve = CURVES[oidToString(params.value)];
  if (!curve) fail(code, 'unsupported EC curve');
  return { curve, point: key.value.subarray(1) };
}

/** WebCrypto, or a loud environment error (browsers expose it only in secure contexts). */
function webCrypto(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('WebCrypto (crypto.subtle) is unavailable: browsers provide it only in secure contexts (https, localhost)');
  return subtle;
}

/** DER ECDSA-Sig-Value → fixed-size r‖s; undefined when malformed. */
function derToRaw(sig: Uint8Array, n: number): Uint8Array | undefined {
  try {
    const seq = readSingle(sig, 'ERR_SIG');
    const parts = children(seq.value, 'ERR_SIG');
    if (seq.tag !== 0x30 || parts.length !== 2) return undefined;
    const out = new Uint8Array(2 * n);
    for (let i = 0; i < 2; i++) {
      let v = parts[i]!.value;
      if (parts[i]!.tag !== 0x02) return undefined;
      while (v.length > 1 && v[0] === 0) v = v.subarray(1);
      if (v.length > n) return undefined;
      out.set(v, (i + 1) * n - v.length);
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * ECDSA verification of `data` (hashed with `hash`) by an uncompressed point; the signature is DER
 * or raw r‖s. Returns false (never throws) for a wrong signature, a malformed signature or key.
 */
export async function ecdsaVerify(
  curve: EcCurve,
  hash: HashName,
  data: Uint8Array,
  point: Uint8Array,
  sig: Uint8Array,
  format: 'der' | 'compact',
): Promise<boolean> {
  const subtle = webCrypto();
  const n = curve === 'P-256' ? 32 : 48;
  const raw = format === 'der' ? derToRaw(sig, n) : sig;
  if (!raw || raw.length !== 2 * n) return false;
  try {
    const key = await subtle.importKey('raw', point as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
    return await subtle.verify({ name: 'ECDSA', hash }, key, raw as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
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
      hash = HASHES[oidToString(oid?.value ?? new Uint8Array())];
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
    return ecdsaVerify(curve, ecHash, data, point, signature, 'der');
  }
  if (oid === '1.2.840.113549.1.1.10') {
    const { hash, saltLength } = pssParams(sigAlg, code);
    let key: CryptoKey;
    try {
      key = await webCrypto().importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSA-PSS', hash }, false, ['verify']);
    } catch (e) {
      fail(code, 'issuer RSA key does not import', e);
    }
    const subtle = webCrypto();
    try {
      return await subtle.verify({ name: 'RSA-PSS', saltLength }, key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
    } catch {
      return false;
    }
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
  // Every certificate supplied must be on the path or be a copy of a pinned root, so no byte of
  // the evidence is left unchecked.
  for (const c of pool) {
    if (!path.includes(c) && !opts.roots.some((r) => r.sha256 === c.sha256)) {
      fail('ERR_CERT_CHAIN', `${opts.what}: certificate ${c.sha256} is not part of the chain`);
    }
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
  const [innerAlg, issuer, thisUpdate, ...rest] = tbsFields.slice(i);
  if (!innerAlg || !issuer || !thisUpdate || issuer.tag !== 0x30) fail(code, 'CRL: missing fields');
  if (!equalBytes(innerAlg.raw, sigAlg)) fail(code, 'CRL: signature algorithm differs inside and outside tbsCertList');
  let next: Date | undefined;
  if (rest[0] && (rest[0].tag === 0x17 || rest[0].tag === 0x18)) next = derTime(rest.shift()!, code);
  const revoked = new Set<string>();
  if (rest[0]?.tag === 0x30) {
    for (const entry of children(rest.shift()!.value, code)) {
      const [sn] = children(entry.value, code);
      if (entry.tag !== 0x30 || !sn || sn.tag !== 0x02) fail(code, 'CRL: malformed revoked entry');
      revoked.add(normSerial(sn.value));
    }
  }
  return { issuer: issuer.raw, thisUpdate: derTime(thisUpdate, code), nextUpdate: next, revoked, tbs, sigAlg, signature };
}

/** Serial numbers compared without leading zero bytes. */
export function normSerial(b: Uint8Array): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return toHex(b.subarray(i));
}

/**
 * Checks a CRL's signature by `issuer` and its window at `at`, then that none of `certs` it covers is
 * listed. @throws ERR_COLLATERAL_MISMATCH, ERR_COLLATERAL_SIGNATURE, ERR_COLLATERAL_EXPIRED, ERR_CERT_REVOKED
 */
export async function checkCrl(crl: ParsedCrl, issuer: ParsedCert, certs: ParsedCert[], at: Date, what: string): Promise<void> {
  if (!equalBytes(crl.issuer, issuer.subject)) fail('ERR_COLLATERAL_MISMATCH', `${what}: CRL issuer does not match its CA`);
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
