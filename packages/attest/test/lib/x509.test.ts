// One test per X.509 rule of src/lib/x509.ts, on a generated PKI (the vendor chains are all valid,
// so they cannot show that a rule is enforced): pinned root, name chaining, signatures, cA, key
// usage, pathLenConstraint, validity at the given time, length, cycles, stray certificates, DER
// strictness of the unsigned envelope, and the CRL rules (issuer, cRLSign, signature, window, serial).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVeilError } from '@veil/crypto';
import { checkCrl, parseCertificate, parseCrl, verifyChain } from '../../src/lib/x509.ts';
import { AT, NOT_AFTER, NOT_BEFORE, issue, makeCrl, makeRoot, newKeys, x509, type Issued } from '../helpers/pki.ts';

const KU = x509.KeyUsageFlags;
const parse = (...items: Issued[]) => items.map((i) => parseCertificate(i.der));

async function rejects(p: Promise<unknown> | (() => unknown), code: string) {
  await assert.rejects(
    async () => (typeof p === 'function' ? p() : p),
    (e) => {
      assert.ok(isVeilError(e), `not a VeilError: ${String(e)}`);
      assert.equal(e.code, code, e.message);
      return true;
    },
  );
}

const root = await makeRoot('CN=Test Root');
const ca = await issue(root, 'CN=Test CA', { ca: true, keyUsage: KU.keyCertSign | KU.cRLSign });
const leaf = await issue(ca, 'CN=Test Leaf', { keyUsage: KU.digitalSignature });
const [rootCert] = parse(root);
const opts = { roots: [rootCert!], at: AT, what: 'test' };

test('a well-formed chain verifies; the path is leaf first, pinned root last', async () => {
  const path = await verifyChain(parse(leaf, ca), opts);
  assert.deepEqual(path.map((c) => c.sha256), parse(leaf, ca, root).map((c) => c.sha256));
  // An embedded, byte-identical copy of the pinned root is allowed.
  assert.equal((await verifyChain(parse(leaf, root, ca), opts)).length, 3);
});

test('pinned root: a chain to any other root is untrusted, a missing issuer breaks the chain', async () => {
  const other = await makeRoot('CN=Test Root');
  // `other` has the pinned root's name but another key: the supplied root is not it.
  await rejects(verifyChain(parse(leaf, ca, root), { ...opts, roots: parse(other) }), 'ERR_ROOT_UNTRUSTED');
  await rejects(verifyChain(parse(leaf), opts), 'ERR_CERT_CHAIN');
  await rejects(verifyChain([], opts), 'ERR_CERT_CHAIN');
});

test('signatures: a certificate naming the CA but signed by another key has no issuer', async () => {
  const impostor = { ...ca, keys: await newKeys() };
  const forged = await issue(impostor, 'CN=Test Leaf');
  await rejects(verifyChain(parse(forged, ca), opts), 'ERR_CERT_CHAIN');
});

test('issuer/subject chaining: signed by the CA key under another issuer name is refused', async () => {
  const misnamed = await issue(ca, 'CN=Test Leaf', { issuerName: 'CN=Someone Else' });
  await rejects(verifyChain(parse(misnamed, ca), opts), 'ERR_CERT_CHAIN');
});

test('basicConstraints: an issuer without cA (absent or false) cannot issue', async () => {
  for (const flag of [null, false] as const) {
    const notCa = await issue(root, 'CN=Not A CA', { ca: flag });
    const below = await issue(notCa, 'CN=Below');
    await rejects(verifyChain(parse(below, notCa), opts), 'ERR_CERT_CHAIN');
  }
});

test('keyUsage: a CA whose key usage lacks keyCertSign cannot issue; without the extension it can', async () => {
  const noSign = await issue(root, 'CN=CRL Only CA', { ca: true, keyUsage: KU.cRLSign | KU.digitalSignature });
  await rejects(verifyChain(parse(await issue(noSign, 'CN=Below'), noSign), opts), 'ERR_CERT_CHAIN');
  const noKu = await issue(root, 'CN=No KU CA', { ca: true });
  assert.equal((await verifyChain(parse(await issue(noKu, 'CN=Below'), noKu), opts)).length, 3);
});

test('pathLenConstraint: root with pathLen 0 may sign only leaves', async () => {
  const strictRoot = await makeRoot('CN=Strict Root', { pathLength: 0 });
  const sub = await issue(strictRoot, 'CN=Sub CA', { ca: true });
  const below = await issue(sub, 'CN=Below');
  const strictOpts = { ...opts, roots: parse(strictRoot) };
  await rejects(verifyChain(parse(below, sub), strictOpts), 'ERR_CERT_CHAIN');
  assert.equal((await verifyChain(parse(sub), strictOpts)).length, 2);
  const looseRoot = await makeRoot('CN=Loose Root', { pathLength: 1 });
  const sub1 = await issue(looseRoot, 'CN=Sub CA 1', { ca: true });
  assert.equal((await verifyChain(parse(await issue(sub1, 'CN=Below'), sub1), { ...opts, roots: parse(looseRoot) })).length, 3);
});

test('validity at the given time: every certificate on the path, bounds inclusive', async () => {
  const shortCa = await issue(root, 'CN=Short CA', { ca: true, notBefore: new Date('2025-06-01T00:00:00Z'), notAfter: new Date('2026-06-01T00:00:00Z') });
  const below = await issue(shortCa, 'CN=Below');
  const chain = parse(below, shortCa);
  await verifyChain(chain, { ...opts, at: new Date('2025-06-01T00:00:00Z') });
  await verifyChain(chain, { ...opts, at: new Date('2026-06-01T00:00:00Z') });
  await rejects(verifyChain(chain, { ...opts, at: new Date('2025-05-31T23:59:59Z') }), 'ERR_CERT_NOT_YET_VALID');
  await rejects(verifyChain(chain, { ...opts, at: new Date('2026-06-01T00:00:01Z') }), 'ERR_CERT_EXPIRED');
  await rejects(verifyChain(parse(leaf, ca), { ...opts, at: new Date(NOT_AFTER.getTime() + 1000) }), 'ERR_CERT_EXPIRED');
  await rejects(verifyChain(parse(leaf, ca), { ...opts, at: new Date(NOT_BEFORE.getTime() - 1000) }), 'ERR_CERT_NOT_YET_VALID');
});

test('every supplied certificate must be on the path (or be the pinned root)', async () => {
  const stray = await issue(root, 'CN=Stray', { ca: true });
  await rejects(verifyChain(parse(leaf, ca, stray), opts), 'ERR_CERT_CHAIN');
});

test('a path longer than 8 certificates is refused', async () => {
  const chain: Issued[] = [];
  let signer = root;
  for (let i = 0; i < 8; i++) chain.unshift((signer = await issue(signer, `CN=Level ${i}`, { ca: true })));
  await rejects(verifyChain(parse(await issue(signer, 'CN=Deep Leaf'), ...chain), opts), 'ERR_CERT_CHAIN');
  assert.equal((await verifyChain(parse(...chain.slice(1)), opts)).length, 8);
});

test('a cycle of cross-signed CAs ends in ERR_CERT_CHAIN, not a hang', async () => {
  const [ka, kb] = [await newKeys(), await newKeys()];
  const a = { der: new Uint8Array(), name: 'CN=Cycle A', keys: ka };
  const b = { der: new Uint8Array(), name: 'CN=Cycle B', keys: kb };
  const aByB = await issue(b, 'CN=Cycle A', { ca: true, keys: ka });
  const bByA = await issue(a, 'CN=Cycle B', { ca: true, keys: kb });
  await rejects(verifyChain(parse(await issue(a, 'CN=Cycle Leaf'), aByB, bByA), opts), 'ERR_CERT_CHAIN');
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

test('DER only: trailing bytes, long-form lengths, a changed outer algorithm, a loose ECDSA signature', async () => {
  const der = leaf.der;
  await rejects(() => parseCertificate(unhex(hex(der) + '00')), 'ERR_CERT_MALFORMED');
  // Outer SEQUENCE length with a needless leading zero byte (BER, not DER).
  assert.ok(der[1]! > 0x80);
  await rejects(() => parseCertificate(unhex(`30${(der[1]! + 1).toString(16)}00${hex(der).slice(4)}`)), 'ERR_CERT_MALFORMED');
  // Indefinite length for the outer SEQUENCE (BER only).
  const content = hex(der).slice(4 + 2 * (der[1]! & 0x7f));
  await rejects(() => parseCertificate(unhex(`3080${content}0000`)), 'ERR_CERT_MALFORMED');
  // ecdsa-with-SHA256 (…04 03 02) outside tbsCertificate changed to ecdsa-with-SHA384 (…04 03 03).
  const h = hex(der);
  const outerAlg = h.lastIndexOf('06082a8648ce3d040302');
  await rejects(() => parseCertificate(unhex(h.slice(0, outerAlg) + '06082a8648ce3d040303' + h.slice(outerAlg + 20))), 'ERR_CERT_MALFORMED');
  // The ECDSA-Sig-Value's SEQUENCE tag (after BIT STRING header and the unused-bits byte).
  const sigAt = h.indexOf('00', outerAlg + 20 + 4) + 2;
  assert.equal(h.slice(sigAt, sigAt + 2), '30');
  await rejects(() => parseCertificate(unhex(h.slice(0, sigAt) + 'b0' + h.slice(sigAt + 2))), 'ERR_CERT_MALFORMED');
  // A non-zero unused-bits count in the signature BIT STRING.
  await rejects(() => parseCertificate(unhex(h.slice(0, sigAt - 2) + '01' + h.slice(sigAt))), 'ERR_CERT_MALFORMED');
  parseCertificate(unhex(h)); // the untouched bytes parse
  // The same CRL envelope rules.
  const crl = hex(await makeCrl(ca, []));
  await rejects(() => parseCrl(unhex(crl + '00')), 'ERR_COLLATERAL_MALFORMED');
  const crlSig = crl.indexOf('00', crl.lastIndexOf('06082a8648ce3d040302') + 24) + 2;
  assert.equal(crl.slice(crlSig, crlSig + 2), '30');
  await rejects(() => parseCrl(unhex(crl.slice(0, crlSig) + 'b0' + crl.slice(crlSig + 2))), 'ERR_COLLATERAL_MALFORMED');
});

test('duplicate extensions are refused', async () => {
  const twice = await issue(ca, 'CN=Twice', { extraExtensions: [new x509.BasicConstraintsExtension(false), new x509.BasicConstraintsExtension(false)] });
  await rejects(() => parseCertificate(twice.der), 'ERR_CERT_MALFORMED');
});

test('CRL: signature, issuer, cRLSign, window and revocation', async () => {
  const [caCert, leafCert] = parse(ca, leaf);
  const good = parseCrl(await makeCrl(ca, ['7fff']));
  await checkCrl(good, caCert!, [leafCert!], AT, 'test');
  // Revoked: the leaf's own serial is listed (leading zero bytes do not matter).
  const listed = parseCrl(await makeCrl(ca, [`00${leafCert!.serialHex}`]));
  await rejects(checkCrl(listed, caCert!, [leafCert!], AT, 'test'), 'ERR_CERT_REVOKED');
  // Only certificates the CRL's CA issued are looked up.
  await checkCrl(listed, caCert!, parse(ca), AT, 'test');
  // Window: thisUpdate … nextUpdate.
  await rejects(checkCrl(good, caCert!, [leafCert!], new Date('2024-12-31T23:59:59Z'), 'test'), 'ERR_COLLATERAL_EXPIRED');
  await rejects(checkCrl(good, caCert!, [leafCert!], new Date('2027-01-01T00:00:01Z'), 'test'), 'ERR_COLLATERAL_EXPIRED');
  // Issued under the CA's name by another key.
  const forged = parseCrl(await makeCrl({ ...ca, keys: await newKeys() }, []));
  await rejects(checkCrl(forged, caCert!, [leafCert!], AT, 'test'), 'ERR_COLLATERAL_SIGNATURE');
  // Another issuer's CRL.
  await rejects(checkCrl(parseCrl(await makeCrl(root, [])), caCert!, [leafCert!], AT, 'test'), 'ERR_COLLATERAL_MISMATCH');
  // A CA whose key usage does not include cRLSign cannot sign CRLs.
  const noCrlSign = await issue(root, 'CN=No CRL CA', { ca: true, keyUsage: KU.keyCertSign });
  await rejects(checkCrl(parseCrl(await makeCrl(noCrlSign, [])), parse(noCrlSign)[0]!, [], AT, 'test'), 'ERR_COLLATERAL_SIGNATURE');
});
