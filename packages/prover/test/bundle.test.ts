// The v1 bundle schema: a valid bundle parses; every malformation is ERR_BUNDLE_MALFORMED.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isVeilError } from '@veil/crypto';
import { parseBundle } from '../src/bundle.ts';
import { getTestCrsId } from '../src/crs.ts';

const valid = {
  v: 1,
  circuit: { name: 'membership', id: 'ab'.repeat(32) },
  crs: { id: getTestCrsId(), kind: 'test' },
  claims: { iss: 'https://accounts.google.com', aud: 'client-1', domain: 'acme.com', epk: '11'.repeat(32), expiry: 1_900_000_000, kid: 'k1' },
  proof: 'AAAA',
};

const malformed = (value: unknown) => (e: unknown) => isVeilError(e, 'ERR_BUNDLE_MALFORMED') || assert.fail(`${JSON.stringify(value)}: ${String(e)}`);

describe('bundle schema (v1)', () => {
  it('accepts a well-formed bundle, with or without informational public inputs', () => {
    assert.deepEqual(parseBundle(valid), valid);
    const withInputs = { ...valid, publicInputs: [`0x${'00'.repeat(32)}`] };
    assert.deepEqual(parseBundle(withInputs), withInputs);
  });

  const cases: Array<[string, unknown]> = [
    ['not an object', 'bundle'],
    ['null', null],
    ['wrong version', { ...valid, v: 2 }],
    ['missing proof', { ...valid, proof: undefined }],
    ['extra top-level field', { ...valid, note: 'x' }],
    ['proof not base64', { ...valid, proof: 'not base64!' }],
    ['oversize proof', { ...valid, proof: 'A'.repeat(70000) }],
    ['circuit id not hex', { ...valid, circuit: { ...valid.circuit, id: 'zz'.repeat(32) } }],
    ['circuit id uppercase', { ...valid, circuit: { ...valid.circuit, id: 'AB'.repeat(32) } }],
    ['unknown crs kind', { ...valid, crs: { ...valid.crs, kind: 'insecure' } }],
    ['crs id of another shape', { ...valid, crs: { ...valid.crs, id: 'test-123' } }],
    ['epk too short', { ...valid, claims: { ...valid.claims, epk: '11'.repeat(31) } }],
    ['expiry a string', { ...valid, claims: { ...valid.claims, expiry: '1900000000' } }],
    ['expiry fractional', { ...valid, claims: { ...valid.claims, expiry: 1.5 } }],
    ['expiry negative', { ...valid, claims: { ...valid.claims, expiry: -1 } }],
    ['empty domain', { ...valid, claims: { ...valid.claims, domain: '' } }],
    ['missing kid', { ...valid, claims: { ...valid.claims, kid: undefined } }],
    ['extra claim', { ...valid, claims: { ...valid.claims, email: 'a@acme.com' } }],
    ['public input not a field', { ...valid, publicInputs: ['12'] }],
  ];
  for (const [name, value] of cases) {
    it(`rejects: ${name}`, () => {
      const v = value && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
      assert.throws(() => parseBundle(v), malformed(v));
    });
  }
});
