// The notarised fetch over real TLS against the dev registry (and a few real HTTPS servers that
// misbehave): the right person's record, refusals before anything is sent (bad chain, wrong host
// name, another registry's CA, system roots, expired certificate), a tampered masked credential,
// a request split across records, and answers that must be refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVeilError } from '@veil/crypto';
import {
  generateDevCa, issueServerCertificate, startDevRegistry, type DevRegistry,
} from '@veil/dev-registry';
import { beginNotarisedFetch, maskCredential, type ProviderConfig } from '../../src/notary/index.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'veil-notary-'));
  dirs.push(d);
  return d;
};
let reg: DevRegistry;
let other: DevRegistry;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  reg = await startDevRegistry({ dataDir: tmp() });
  other = await startDevRegistry({ dataDir: tmp() }); // a second registry with its own CA
  closers.push(() => reg.close(), () => other.close());
});
after(async () => {
  for (const c of closers) await c();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const code = (c: string) => (e: unknown) => {
  assert.ok(isVeilError(e), `expected a VeilError, got ${String(e)}`);
  assert.equal(e.code, c, (e as Error).message);
  return true;
};

/** A registry at `r`'s CA pin but another server: must be refused with nothing sent. */
async function assertRefusedBeforeSending(target: DevRegistry, provider: ProviderConfig, expected: string | RegExp) {
  const before = target.requestCount;
  await assert.rejects(beginNotarisedFetch(provider), (e: unknown) => {
    code('ERR_PROVIDER_TLS')(e);
    assert.match((e as Error).message, expected instanceof RegExp ? expected : new RegExp(expected));
    return true;
  });
  assert.equal(target.requestCount, before, 'the provider received no request');
}

test("the right person's record, and the service's inputs carry only ciphertext", async () => {
  const wire: Buffer[] = [];
  const credential = reg.issueCredential('zoe');
  const credentialBytes = Buffer.from(credential, 'latin1');
  const before = reg.requestCount;
  // Everything the service's code path receives: the provider entry, the socket bytes, the masked credential.
  const session = await beginNotarisedFetch(reg.provider, {
    connect: (host, port) => {
      const s = netConnect({ host, port });
      s.on('data', (d: Buffer) => wire.push(d));
      const write = s.write.bind(s) as (c: Uint8Array) => boolean;
      (s as { write: unknown }).write = (c: Uint8Array) => {
        wire.push(Buffer.from(c));
        return write(c);
      };
      return s;
    },
  });
  assert.equal(session.mask.length, 43);
  const masked = maskCredential(reg.provider, session.mask, credential);
  assert.equal(Buffer.from(masked).indexOf(credentialBytes), -1);
  assert.notDeepEqual(Buffer.from(masked), credentialBytes);
  const result = await session.complete(masked);
  assert.equal(result.status, 200);
  assert.deepEqual(result.record, { name: 'Zoë Ó Briain', birthdate: '1991-03-14', nationality: 'IE' });
  assert.ok(result.providerTimeMs > 0);
  assert.equal(reg.requestCount, before + 1);
  // The credential never crossed the service's boundary in the clear, in either direction.
  assert.equal(Buffer.concat(wire).indexOf(credentialBytes), -1);
  assert.equal(Buffer.concat(wire).indexOf(Buffer.from(credential.slice(0, 12))), -1);
  for (const input of [JSON.stringify(reg.provider), Buffer.from(session.mask).toString('latin1')]) {
    assert.ok(!input.includes(credential));
  }
});

test('another person gets their own record; a request split across several TLS records is patched in each piece', async () => {
  const credential = reg.issueCredential('juergen');
  // A long path and 512-byte records: the request takes several records and the span straddles two.
  const base = { ...reg.provider, path: `${reg.provider.path}?pad=` };
  const probe = await beginNotarisedFetch({ ...base, path: `${base.path}x` }, { maxSendFragment: 512 });
  const holeStartWithOnePad = probe.layout.hole.start;
  probe.abort();
  const pad = 512 - 20 - holeStartWithOnePad; // span starts 20 bytes before the first record boundary
  const provider = { ...base, path: `${base.path}${'x'.repeat(1 + pad)}` };
  const session = await beginNotarisedFetch(provider, { maxSendFragment: 512 });
  const { records, hole } = session.layout;
  assert.ok(records.length >= 2, `request in ${records.length} records`);
  const spanned = records.filter((r) => r.start < hole.start + hole.length && hole.start < r.start + r.length);
  assert.equal(spanned.length, 2, 'the credential span straddles a record boundary');
  assert.equal(hole.start, 512 - 20);
  const result = await session.complete(maskCredential(provider, session.mask, credential));
  assert.deepEqual(result.record, { name: 'Jürgen Weiß', birthdate: '1978-11-02', nationality: 'DE' });
});

test('a tampered masked credential reaches the provider as a wrong credential: HTTP 401, never the record', async () => {
  const credential = reg.issueCredential('amara');
  const session = await beginNotarisedFetch(reg.provider);
  const masked = maskCredential(reg.provider, session.mask, credential);
  // Flip bits so the plaintext stays a valid token character ('A' <-> 'B' style): the tag is
  // recomputed, TLS accepts the record, and the provider sees someone else's credential.
  masked[10]! ^= 0x03;
  const before = reg.requestCount;
  await assert.rejects(session.complete(masked), (e: unknown) => code('ERR_PROVIDER_STATUS')(e) && /HTTP 401/.test((e as Error).message));
  assert.equal(reg.requestCount, before + 1);
});

test('a bad chain (a look-alike CA with the same name, another key) is refused before anything is sent', async () => {
  const dir = tmp();
  const pinned = await startDevRegistry({ dataDir: dir });
  const lookAlike = await generateDevCa({ commonName: 'Veil dev registry CA (DEVELOPMENT)' });
  const forged = await startDevRegistry({ dataDir: tmp(), certificate: await issueServerCertificate(lookAlike, { names: ['127.0.0.1', 'localhost'] }) });
  closers.push(() => pinned.close(), () => forged.close());
  await assertRefusedBeforeSending(forged, { ...pinned.provider, baseUrl: forged.url }, /signature|verify|issuer/i);
});

test('a certificate for another host name (same CA) is refused by Node checkServerIdentity before anything is sent', async () => {
  const dir = tmp();
  const pinned = await startDevRegistry({ dataDir: dir });
  const wrongName = await startDevRegistry({ dataDir: dir, serverNames: ['registry.other.test'] });
  closers.push(() => pinned.close(), () => wrongName.close());
  assert.equal(wrongName.caPem, pinned.caPem);
  await assertRefusedBeforeSending(wrongName, { ...pinned.provider, baseUrl: wrongName.url }, /ERR_TLS_CERT_ALTNAME_INVALID/);
});

test("the second registry's CA does not vouch for the first (and vice versa): pinning", async () => {
  await assertRefusedBeforeSending(reg, { ...reg.provider, ca: { pem: other.caPem } }, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i);
  await assertRefusedBeforeSending(other, { ...other.provider, ca: { pem: reg.caPem } }, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i);
});

test('"system" roots do not include the dev CA; an expired certificate is refused', async () => {
  await assertRefusedBeforeSending(reg, { ...reg.provider, ca: 'system' }, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify|SELF_SIGNED|UNABLE_TO_GET_ISSUER/i);
  const dir = tmp();
  const pinned = await startDevRegistry({ dataDir: dir });
  const { importDevCa } = await import('@veil/dev-registry');
  const { readFileSync } = await import('node:fs');
  const ca = await importDevCa(readFileSync(join(dir, 'ca.pem'), 'utf8'), readFileSync(join(dir, 'ca-key.pem'), 'utf8'));
  const old = await issueServerCertificate(ca, { names: ['127.0.0.1'], notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
  const expired = await startDevRegistry({ dataDir: dir, certificate: old });
  closers.push(() => pinned.close(), () => expired.close());
  await assertRefusedBeforeSending(expired, { ...pinned.provider, baseUrl: expired.url }, /CERT_HAS_EXPIRED|expired/i);
});

test('TLS 1.2-only providers are refused', async () => {
  const dir = tmp();
  const ca = await generateDevCa({ commonName: 'tls12 CA' });
  const cert = await issueServerCertificate(ca, { names: ['127.0.0.1'] });
  const server = createServer({ key: cert.keyPem, cert: cert.certPem, maxVersion: 'TLSv1.2' }, (_q, r) => r.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  dirs.push(dir);
  const { port } = server.address() as { port: number };
  await assert.rejects(beginNotarisedFetch({ ...reg.provider, baseUrl: `https://127.0.0.1:${port}`, ca: { pem: ca.certPem } }), (e: unknown) => {
    assert.ok(isVeilError(e) && (e.code === 'ERR_PROVIDER_TLS' || e.code === 'ERR_PROVIDER_CONNECTION'), String(e));
    return true;
  });
});

/** A real HTTPS server (TLS 1.3, its own CA) answering whatever `answer` says, for refusal tests. */
async function misbehavingProvider(answer: (path: string, res: import('node:http').ServerResponse) => void): Promise<ProviderConfig> {
  const ca = await generateDevCa({ commonName: 'misbehaving provider CA' });
  const cert = await issueServerCertificate(ca, { names: ['127.0.0.1'] });
  const server: Server = createServer({ key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.3' }, (req, res) => answer(req.url ?? '/', res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const { port } = server.address() as { port: number };
  return { ...reg.provider, name: 'misbehaving', baseUrl: `https://127.0.0.1:${port}`, ca: { pem: ca.certPem } };
}

test('answers that are not a usable record are refused with their codes', async () => {
  const record = { person: { name: { full: 'A B' }, birth: { date: '2000-01-01' }, nationalities: [{ country: 'NL' }] } };
  const provider = await misbehavingProvider((path, res) => {
    const kind = new URL(path, 'https://x').searchParams.get('k');
    if (kind === 'html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>');
    if (kind === 'broken') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"person":');
    if (kind === 'big') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...record, pad: 'x'.repeat(70_000) }));
    if (kind === 'bigchunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 70; i++) res.write('x'.repeat(1000));
      return res.end();
    }
    if (kind === 'missing') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ person: { name: { full: 'A B' } } }));
    if (kind === 'number') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...record, person: { ...record.person, birth: { date: 20000101 } } }));
    if (kind === 'error') return res.writeHead(500, { 'content-type': 'application/json' }).end('{}');
    if (kind === 'redirect') return res.writeHead(302, { location: 'https://evil.test/' }).end();
    return res.writeHead(200, { 'content-type': 'application/vnd.registry+json' }).end(JSON.stringify(record));
  });
  const run = async (k: string) => {
    const p = { ...provider, path: `/me?k=${k}` };
    const s = await beginNotarisedFetch(p);
    return s.complete(maskCredential(p, s.mask, 'A'.repeat(43)));
  };
  assert.deepEqual((await run('ok')).record, { name: 'A B', birthdate: '2000-01-01', nationality: 'NL' });
  await assert.rejects(run('html'), code('ERR_PROVIDER_NOT_JSON'));
  await assert.rejects(run('broken'), code('ERR_PROVIDER_NOT_JSON'));
  await assert.rejects(run('big'), code('ERR_PROVIDER_BODY_TOO_LARGE'));
  await assert.rejects(run('bigchunked'), code('ERR_PROVIDER_BODY_TOO_LARGE'));
  await assert.rejects(run('missing'), code('ERR_PROVIDER_FIELD_MISSING'));
  await assert.rejects(run('number'), code('ERR_PROVIDER_FIELD_INVALID'));
  await assert.rejects(run('error'), code('ERR_PROVIDER_STATUS'));
  await assert.rejects(run('redirect'), code('ERR_PROVIDER_STATUS'));
});

test('a session is used once: wrong length, second complete and abort are refused', async () => {
  const credential = reg.issueCredential('sofia');
  const s1 = await beginNotarisedFetch(reg.provider);
  await assert.rejects(s1.complete(new Uint8Array(42)), code('ERR_PROVIDER_CREDENTIAL_LENGTH'));
  await assert.rejects(s1.complete(maskCredential(reg.provider, s1.mask, credential)), code('ERR_PROVIDER_SESSION_STATE'));
  const s2 = await beginNotarisedFetch(reg.provider);
  s2.abort();
  await assert.rejects(s2.complete(maskCredential(reg.provider, s2.mask, credential)), code('ERR_PROVIDER_SESSION_STATE'));
  const s3 = await beginNotarisedFetch(reg.provider);
  const pending = s3.complete(maskCredential(reg.provider, s3.mask, credential));
  const result = await pending;
  assert.equal(result.record.nationality, 'ES');
});

test('bad options, bad entries, unreachable and silent providers fail with their codes', async () => {
  for (const bad of [{ maxSendFragment: 100 }, { timeoutMs: 0 }, { maxBodyBytes: -1 }]) {
    await assert.rejects(beginNotarisedFetch(reg.provider, bad), TypeError, JSON.stringify(bad));
  }
  await assert.rejects(beginNotarisedFetch({ ...reg.provider, baseUrl: 'http://127.0.0.1:1' }), code('ERR_PROVIDER_CONFIG'));
  const { createServer: createTcp } = await import('node:net');
  const silent = createTcp((c) => c.resume()); // accepts TCP, never speaks TLS
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const { port } = silent.address() as { port: number };
  await assert.rejects(beginNotarisedFetch({ ...reg.provider, baseUrl: `https://127.0.0.1:${port}` }, { timeoutMs: 300 }), code('ERR_PROVIDER_TIMEOUT'));
  await new Promise<void>((r) => silent.close(() => r()));
  await assert.rejects(beginNotarisedFetch({ ...reg.provider, baseUrl: `https://127.0.0.1:${port}` }), code('ERR_PROVIDER_CONNECTION'));
});
