// Issuer-key selection from an untrusted JWKS: only RS256-capable 2048-bit RSA keys, found by kid.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { isVeilError } from '@veil/crypto';
import { selectIssuerKey } from '../../src/lib/jwks.ts';

const rsa = (bits: number, kid: string) => ({ ...generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' }), kid });
const code = (c: string) => (e: unknown) => isVeilError(e, c) || assert.fail(String(e));

describe('selectIssuerKey', () => {
  const a = rsa(2048, 'a');
  const b = rsa(2048, 'b');

  it('finds the key by kid and decodes its modulus', () => {
    const k = selectIssuerKey({ keys: [a, b] }, 'b');
    assert.equal(k.jwk.kid, 'b');
    assert.equal(k.modulus, BigInt(`0x${Buffer.from(b.n!, 'base64url').toString('hex')}`));
    assert.equal(selectIssuerKey({ keys: [{ ...a, alg: 'RS256', use: 'sig' }] }, 'a').jwk.kid, 'a');
  });

  it('rejects malformed JWKS', () => {
    for (const jwks of [null, 'x', {}, { keys: 'a' }]) assert.throws(() => selectIssuerKey(jwks, 'a'), code('ERR_JWKS_MALFORMED'));
  });

  it('rejects an unknown kid and an ambiguous one', () => {
    assert.throws(() => selectIssuerKey({ keys: [a] }, 'b'), code('ERR_KEY_UNKNOWN'));
    assert.throws(() => selectIssuerKey({ keys: [a, { ...b, kid: 'a' }] }, 'a'), code('ERR_KEY_UNKNOWN'));
  });

  it('rejects keys the circuit cannot use', () => {
    const ec = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: 'a' };
    for (const key of [rsa(1024, 'a'), rsa(3072, 'a'), ec, { ...a, e: 'Aw' }, { ...a, alg: 'PS256' }, { ...a, use: 'enc' }, { ...a, n: 'not base64!' }]) {
      assert.throws(() => selectIssuerKey({ keys: [key] }, 'a'), code('ERR_KEY_UNSUPPORTED'));
    }
  });
});
