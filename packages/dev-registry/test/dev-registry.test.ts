// The dev registry over real HTTPS: its CA persists in the data dir, only TLS 1.3 is spoken, a
// client pinning another CA refuses it, and the endpoints answer as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { isVeilError } from '@veil/crypto';
import { CREDENTIAL_LENGTH, DEV_PEOPLE, startDevRegistry, type DevRegistry } from '@veil/dev-registry';

function call(reg: DevRegistry, method: string, path: string, o: { headers?: Record<string, string>; ca?: string } = {}): Promise<{ status: number; type: string; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${reg.url}${path}`, { method, ca: o.ca ?? reg.caPem, headers: o.headers ?? {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('CA generated once and kept (key 0600); server certificate for 127.0.0.1 and localhost; TLS 1.3 only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-dev-registry-'));
  try {
    const a = await startDevRegistry({ dataDir: dir });
    const caPem = a.caPem;
    await a.close();
    const b = await startDevRegistry({ dataDir: dir });
    try {
      assert.equal(b.caPem, caPem);
      assert.equal(statSync(join(dir, 'ca-key.pem')).mode & 0o777, 0o600);
      assert.ok(new X509Certificate(caPem).ca);
      const port = Number(new URL(b.url).port);
      const leaf = await new Promise<X509Certificate>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, ca: caPem }, () => {
          const cert = s.getPeerX509Certificate()!;
          assert.equal(s.getProtocol(), 'TLSv1.3');
          s.destroy();
          resolve(cert);
        });
        s.on('error', reject);
      });
      assert.equal(leaf.subjectAltName, 'IP Address:127.0.0.1, DNS:localhost');
      assert.ok(leaf.checkIssued(new X509Certificate(caPem)) && leaf.verify(new X509Certificate(caPem).publicKey));
      await assert.rejects(
        new Promise((resolve, reject) => {
          const s = connect({ host: '127.0.0.1', port, ca: caPem, maxVersion: 'TLSv1.2' }, () => resolve(s));
          s.on('error', reject);
        }),
      );
      const other = mkdtempSync(join(tmpdir(), 'veil-dev-registry-'));
      const c = await startDevRegistry({ dataDir: other });
      assert.notEqual(c.caPem, caPem);
      await assert.rejects(call(b, 'GET', '/dev/people', { ca: c.caPem }), /unable to verify|UNABLE_TO_VERIFY/i);
      await c.close();
      rmSync(other, { recursive: true, force: true });
    } finally {
      await b.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('people, credentials and /api/v1/me', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veil-dev-registry-'));
  const reg = await startDevRegistry({ dataDir: dir });
  try {
    const people = await call(reg, 'GET', '/dev/people');
    assert.equal(people.status, 200);
    assert.deepEqual(people.body, DEV_PEOPLE.map((p) => ({ id: p.id, name: p.name })));
    const names = DEV_PEOPLE.map((p) => p.name);
    assert.ok(names.includes('Zoë Ó Briain') && names.includes('Jürgen Weiß'));
    assert.ok(new Set(DEV_PEOPLE.map((p) => p.nationality)).size >= 5);
    assert.ok(DEV_PEOPLE.some((p) => p.birthdate > '2008-12-31'), 'someone under 18');

    const issued = await call(reg, 'POST', '/dev/people/juergen/credential');
    assert.equal(issued.status, 201);
    const { credential } = issued.body as { credential: string };
    assert.match(credential, new RegExp(`^[A-Za-z0-9_-]{${CREDENTIAL_LENGTH}}$`));
    const me = await call(reg, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${credential}` } });
    assert.equal(me.status, 200);
    assert.match(me.type, /^application\/json/);
    assert.deepEqual(me.body, DEV_PEOPLE.find((p) => p.id === 'juergen')!.record);
    const direct = reg.issueCredential('zoe');
    assert.notEqual(direct, reg.issueCredential('zoe'), 'each credential is fresh');
    assert.equal(((await call(reg, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${direct}` } })).body as { person: { id: string } }).person.id, 'zoe');

    const changed = `${credential.slice(0, -1)}${credential.endsWith('A') ? 'B' : 'A'}`;
    for (const authorization of [undefined, `Bearer ${changed}`, `bearer ${credential}`, `Bearer ${credential}x`, `Bearer  ${credential}`, credential]) {
      const r = await call(reg, 'GET', '/api/v1/me', authorization === undefined ? {} : { headers: { authorization } });
      assert.equal(r.status, 401, String(authorization));
      assert.equal((r.body as { error: { code: string } }).error.code, 'ERR_UNAUTHORIZED');
    }
    const unknown = await call(reg, 'POST', '/dev/people/nobody/credential');
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body as { error: { code: string } }).error.code, 'ERR_PERSON_UNKNOWN');
    assert.equal((await call(reg, 'POST', '/dev/people/..%2F/credential')).status, 400);
    assert.throws(() => reg.issueCredential('nobody'), (e: unknown) => isVeilError(e, 'ERR_PERSON_UNKNOWN'));
    assert.equal((await call(reg, 'GET', '/nothing')).status, 404);
  } finally {
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the registry listens on loopback only', async () => {
  await assert.rejects(startDevRegistry({ dataDir: tmpdir(), host: '0.0.0.0' }), TypeError);
});
