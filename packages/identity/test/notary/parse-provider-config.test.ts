// The provider registry's entry format: valid entries parse; everything that could change the
// request line, the Host, the trust anchors or the field lookup in unintended ways is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVeilError } from '@veil/crypto';
import { generateDevCa, issueServerCertificate } from '@veil/dev-registry';
import { maskCredential, parseProviderConfig, type ProviderConfig } from '../../src/notary/index.ts';
import { parseJsonPath, selectJsonPath } from '../../src/notary/lib/json-path.ts';

const ca = await generateDevCa({ commonName: 'config test CA' });
const base: ProviderConfig = {
  name: 'dev-registry',
  baseUrl: 'https://127.0.0.1:4443',
  path: '/api/v1/me',
  ca: { pem: ca.certPem },
  fields: { name: '$.person.name.full', birthdate: "$['person']['birth'].date", nationality: '$.person.nationalities[0].country' },
  credential: { header: 'authorization', prefix: 'Bearer ', length: 43 },
};
const refused = (input: unknown, why: string) =>
  assert.throws(() => parseProviderConfig(input), (e: unknown) => isVeilError(e, 'ERR_PROVIDER_CONFIG'), why);

test('a valid entry parses into host, port, authority, target, pins and path steps', () => {
  const p = parseProviderConfig(base);
  assert.equal(p.host, '127.0.0.1');
  assert.equal(p.port, 4443);
  assert.equal(p.authority, '127.0.0.1:4443');
  assert.equal(p.target, '/api/v1/me');
  assert.equal(p.ca?.length, 1);
  assert.deepEqual(p.fields.birthdate, ['person', 'birth', 'date']);
  assert.deepEqual(p.fields.nationality, ['person', 'nationalities', 0, 'country']);
  const q = parseProviderConfig({ ...base, baseUrl: 'https://registry.example.gov/v2/', ca: 'system' });
  assert.equal(q.port, 443);
  assert.equal(q.authority, 'registry.example.gov');
  assert.equal(q.target, '/v2/api/v1/me');
  assert.equal(q.ca, undefined);
});

test('entries that could bend the request or the trust are refused', async () => {
  const leaf = await issueServerCertificate(ca, { names: ['127.0.0.1'] });
  refused({ ...base, baseUrl: 'http://127.0.0.1:4443' }, 'plain http');
  refused({ ...base, baseUrl: 'https://user:pw@127.0.0.1' }, 'credentials in URL');
  refused({ ...base, baseUrl: 'https://127.0.0.1/?q=1' }, 'query in base URL');
  refused({ ...base, path: '/me\r\nX-Evil: 1' }, 'CRLF in path');
  refused({ ...base, path: '/me HTTP/1.0' }, 'space in path');
  refused({ ...base, path: 'me' }, 'relative path');
  refused({ ...base, ca: { pem: 'not a pem' } }, 'no PEM');
  refused({ ...base, ca: { pem: leaf.certPem } }, 'a leaf, not a CA');
  refused({ ...base, ca: { pem: ca.certPem.replace(/\n[^\n]+\n-----END/, '\n-----END') } }, 'truncated certificate');
  refused({ ...base, ca: 'any' }, 'unknown trust mode');
  refused({ ...base, fields: { ...base.fields, name: '$..name' } }, 'recursive descent');
  refused({ ...base, fields: { ...base.fields, name: '$.person[*]' } }, 'wildcard');
  refused({ ...base, fields: { ...base.fields, name: 'person.name' } }, 'no root');
  refused({ ...base, credential: { ...base.credential, header: 'Authorization: x' } }, 'header not a token');
  refused({ ...base, credential: { ...base.credential, prefix: 'Bearer\r\n' } }, 'CRLF in prefix');
  refused({ ...base, credential: { ...base.credential, length: 4 } }, 'too short');
  refused({ ...base, credential: { ...base.credential, length: 43.5 } }, 'not an integer');
  refused({ ...base, extra: 1 }, 'unknown key');
  refused({ ...base, name: 'Dev Registry' }, 'bad name');
  refused(null, 'not an object');
});

test('JSON paths follow own properties only and never prototype members', () => {
  const doc = JSON.parse('{"a":{"b":[{"c":"x"}],"d e":"y"}}');
  assert.equal(selectJsonPath(doc, parseJsonPath('$.a.b[0].c')!), 'x');
  assert.equal(selectJsonPath(doc, parseJsonPath("$.a['d e']")!), 'y');
  assert.equal(selectJsonPath(doc, parseJsonPath('$.a.b[1].c')!), undefined);
  assert.equal(selectJsonPath(doc, parseJsonPath('$.a.constructor')!), undefined);
  assert.equal(selectJsonPath(doc, parseJsonPath('$.a.b.length')!), undefined);
  assert.equal(selectJsonPath({ a: 'x' }, parseJsonPath('$.a[0]')!), undefined);
  assert.equal(parseJsonPath('$'), undefined);
  assert.equal(parseJsonPath('$.a.'), undefined);
  assert.equal(parseJsonPath("$['a\\'']"), undefined);
});

test('maskCredential (the client side) refuses CR/LF, spaces, header syntax and wrong lengths', () => {
  const mask = crypto.getRandomValues(new Uint8Array(43));
  const good = 'NYejyMaUrXADhOmqWNb_x6Siv5owQJyajWnPxXEoelI';
  const masked = maskCredential(base, mask, good);
  assert.equal(new TextDecoder().decode(masked.map((b, i) => b ^ mask[i]!)), good);
  for (const bad of [`${good.slice(0, 41)}\r\n`, `${good.slice(0, 42)} `, `${good.slice(0, 30)}\r\nX-A: bcdef`, good.slice(0, 42), `${good}A`, `${good.slice(0, 42)}é`]) {
    assert.throws(() => maskCredential(base, mask, bad), (e: unknown) => isVeilError(e, 'ERR_PROVIDER_CREDENTIAL_INVALID'), JSON.stringify(bad));
  }
  assert.throws(() => maskCredential(base, mask.subarray(1), good), TypeError);
});
