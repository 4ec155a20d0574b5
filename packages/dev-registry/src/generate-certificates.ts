/**
 * X.509 for the development registry, built with @peculiar/x509 on Node's WebCrypto (no
 * hand-written DER): an ECDSA P-256 CA and server certificates it signs.
 *
 * Trust: these are development certificates; the CA key sits in a file in the data dir.
 * Not checked here: nothing (this file only issues). Validation is Node's TLS stack, at the client.
 * Also used by tests to make certificates that must be refused (another CA, another host name,
 * expired, a look-alike CA with the same subject).
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs this polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** A certificate authority: its PEM certificate and its private key (PKCS#8 PEM and CryptoKey). */
export interface DevCa {
  certPem: string;
  keyPem: string;
  subject: string;
  signingKey: CryptoKey;
}

/** A server certificate and its PKCS#8 private key, both PEM, as Node's `tls` takes them. */
export interface ServerCertificate {
  certPem: string;
  keyPem: string;
}

const pemKey = async (key: CryptoKey): Promise<string> =>
  x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey), 'PRIVATE KEY');

/**
 * A new self-signed CA (basicConstraints cA, pathLen 0; keyCertSign).
 * @example
 * import { generateDevCa } from '@veil/dev-registry/generate-certificates';
 * const ca = await generateDevCa({ commonName: 'Veil dev registry CA' });
 */
export async function generateDevCa(o: { commonName: string; notBefore?: Date; notAfter?: Date }): Promise<DevCa> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const subject = `CN=${o.commonName}, O=Veil development`;
  const notBefore = o.notBefore ?? new Date(Date.now() - DAY);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: subject,
    keys,
    notBefore,
    notAfter: o.notAfter ?? new Date(notBefore.getTime() + 3650 * DAY),
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pemKey(keys.privateKey), subject, signingKey: keys.privateKey };
}

/**
 * Loads a CA written by `generateDevCa` (certificate PEM + PKCS#8 key PEM).
 * @throws TypeError when the PEMs do not parse.
 */
export async function importDevCa(certPem: string, keyPem: string): Promise<DevCa> {
  const cert = new x509.X509Certificate(certPem);
  const signingKey = (await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyPem), EC, false, ['sign'])) as unknown as CryptoKey;
  return { certPem, keyPem, subject: cert.subject, signingKey };
}

/**
 * A TLS server certificate signed by `ca` for `names` (IP addresses and DNS names, as SANs).
 * @example
 * const server = await issueServerCertificate(ca, { names: ['127.0.0.1', 'localhost'] });
 */
export async function issueServerCertificate(ca: DevCa, o: { names: string[]; notBefore?: Date; notAfter?: Date }): Promise<ServerCertificate> {
  if (o.names.length === 0) throw new TypeError('names: at least one host name or IP address');
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const caCert = new x509.X509Certificate(ca.certPem);
  const notBefore = o.notBefore ?? new Date(Date.now() - DAY);
  const isIp = (n: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(n) || n.includes(':');
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${o.names[0]}, O=Veil development`,
    issuer: caCert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    notBefore,
    notAfter: o.notAfter ?? new Date(notBefore.getTime() + 365 * DAY),
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(o.names.map((value): x509.JsonGeneralName => ({ type: isIp(value) ? 'ip' : 'dns', value }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pemKey(keys.privateKey) };
}
