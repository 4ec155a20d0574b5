// The GCM patch against Node's own AES-GCM: replacing ciphertext bytes and recomputing the tag
// from ciphertexts alone must give exactly the record Node seals for the changed plaintext,
// wherever the change sits (block-aligned or not, one byte, a whole record, across blocks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import {
  deriveTrafficKeys, openRecord, patchRecordCiphertext, recordNonce, RECORD_HEADER_BYTES,
} from '../../src/notary/lib/tls13-record.ts';

function seal(key: Uint8Array, iv: Uint8Array, seq: bigint, inner: Uint8Array): Uint8Array {
  const header = new Uint8Array([23, 3, 3, (inner.length + 16) >> 8, (inner.length + 16) & 0xff]);
  const c = createCipheriv('aes-128-gcm', key, recordNonce(iv, seq));
  c.setAAD(header);
  const body = Buffer.concat([c.update(inner), c.final(), c.getAuthTag()]);
  return new Uint8Array(Buffer.concat([header, body]));
}

test('patchRecordCiphertext equals sealing the changed plaintext, for many offsets and lengths', () => {
  const keys = deriveTrafficKeys(randomBytes(32));
  for (const [size, offset, len] of [[100, 0, 1], [100, 37, 43], [600, 511, 20], [48, 16, 16], [43, 0, 43], [1000, 999, 1], [17, 5, 12]] as const) {
    const seq = BigInt(offset);
    const before = new Uint8Array(randomBytes(size + 1));
    before[size] = 23; // inner content type
    const after = before.slice();
    after.set(randomBytes(len), offset);
    const sealedBefore = seal(keys.key, keys.iv, seq, before);
    const sealedAfter = seal(keys.key, keys.iv, seq, after);
    // What the client would send: the new ciphertext bytes (credential ⊕ keystream).
    const replacement = sealedAfter.subarray(RECORD_HEADER_BYTES + offset, RECORD_HEADER_BYTES + offset + len);
    const patched = patchRecordCiphertext(keys.hashKey, sealedBefore, offset, replacement);
    assert.deepEqual(patched, sealedAfter, `size ${size} offset ${offset} len ${len}`);
    assert.deepEqual(openRecord(keys, seq, patched)?.content, after.subarray(0, size));
  }
});

test('openRecord refuses a wrong sequence number, a flipped tag bit and a flipped header bit', () => {
  const keys = deriveTrafficKeys(randomBytes(32));
  const inner = new Uint8Array([...new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'), 23]);
  const rec = seal(keys.key, keys.iv, 5n, inner);
  assert.equal(new TextDecoder().decode(openRecord(keys, 5n, rec)!.content), 'GET / HTTP/1.1\r\n\r\n');
  assert.equal(openRecord(keys, 5n, rec)!.type, 23);
  assert.equal(openRecord(keys, 4n, rec), undefined);
  const badTag = rec.slice();
  badTag[badTag.length - 1]! ^= 1;
  assert.equal(openRecord(keys, 5n, badTag), undefined);
  const badHeader = rec.slice();
  badHeader[2]! ^= 1;
  assert.equal(openRecord(keys, 5n, badHeader), undefined);
});

test('a patch outside the record content is refused', () => {
  const keys = deriveTrafficKeys(randomBytes(32));
  const rec = seal(keys.key, keys.iv, 0n, new Uint8Array(20));
  assert.throws(() => patchRecordCiphertext(keys.hashKey, rec, 15, new Uint8Array(6)), RangeError);
  assert.throws(() => patchRecordCiphertext(keys.hashKey, rec, -1, new Uint8Array(1)), RangeError);
});
