// A throw-away ECDSA P-256 PKI for the X.509 checks the real vectors cannot exercise (a non-CA
// issuer, key usage, path length, cycles, CRLs listing a given serial). Real keys (WebCrypto) and
// real certificates (@peculiar/x509's generators); nothing is mocked.
import 'reflect-metadata/lite';
import * as x509 from '@peculiar/x509';

export { x509 };

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
export const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
export const NOT_AFTER = new Date('2035-01-01T00:00:00Z');
export const AT = new Date('2026-01-01T00:00:00Z');

export interface Issued {
  der: Uint8Array;
  name: string;
  keys: CryptoKeyPair;
}

export const newKeys = () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(4, '0');

export interface IssueOptions {
  /** basicConstraints cA; `null` leaves the extension out. Default true for issuers made here. */
  ca?: boolean | null;
  pathLength?: number;
  /** keyUsage bits; `null` leaves the extension out (the default). */
  keyUsage?: number | null;
  notBefore?: Date;
  notAfter?: Date;
  /** Issuer name written into the certificate (default: the signer's subject). */
  issuerName?: string;
  keys?: CryptoKeyPair;
  extraExtensions?: x509.Extension[];
}

function extensions(o: IssueOptions): x509.Extension[] {
  const out: x509.Extension[] = [];
  if (o.ca !== null && o.ca !== undefined) out.push(new x509.BasicConstraintsExtension(o.ca, o.pathLength, true));
  if (o.keyUsage !== null && o.keyUsage !== undefined) out.push(new x509.KeyUsagesExtension(o.keyUsage, true));
  return [...out, ...(o.extraExtensions ?? [])];
}

/** A self-signed root CA (cA, keyCertSign | cRLSign unless overridden). */
export async function makeRoot(name: string, o: IssueOptions = {}): Promise<Issued> {
  const keys = o.keys ?? (await newKeys());
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name,
    notBefore: o.notBefore ?? NOT_BEFORE,
    notAfter: o.notAfter ?? NOT_AFTER,
    signingAlgorithm: ALG,
    keys,
    extensions: extensions({ ca: true, keyUsage: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, ...o }),
  });
  return { der: new Uint8Array(cert.rawData), name, keys };
}

/** A certificate for `name` signed by `signer` (a leaf unless `ca` is given). */
export async function issue(signer: Issued, name: string, o: IssueOptions = {}): Promise<Issued> {
  const keys = o.keys ?? (await newKeys());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: name,
    issuer: o.issuerName ?? signer.name,
    notBefore: o.notBefore ?? NOT_BEFORE,
    notAfter: o.notAfter ?? NOT_AFTER,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    extensions: extensions(o),
  });
  return { der: new Uint8Array(cert.rawData), name, keys };
}

/** A CRL by `signer` listing `serials` (hex). */
export async function makeCrl(signer: Issued, serials: string[], o: { thisUpdate?: Date; nextUpdate?: Date; issuerName?: string } = {}): Promise<Uint8Array> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: o.issuerName ?? signer.name,
    thisUpdate: o.thisUpdate ?? NOT_BEFORE,
    nextUpdate: o.nextUpdate ?? new Date('2027-01-01T00:00:00Z'),
    entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: NOT_BEFORE })),
    signingAlgorithm: ALG,
    signingKey: signer.keys.privateKey,
  });
  return new Uint8Array(crl.rawData);
}
