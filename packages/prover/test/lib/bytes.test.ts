// Byte helpers (no Buffer in src): strict base64 round trips against Node's codec and refuses
// non-canonical or malformed text; gunzip agrees with zlib.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { fromBase64, gunzip, toBase64 } from '../../src/lib/bytes.ts';

describe('bytes helpers', () => {
  it('base64 round-trips every length like Node', () => {
    for (let n = 0; n < 70; n++) {
      const b = new Uint8Array(randomBytes(n));
      const s = toBase64(b);
      assert.equal(s, Buffer.from(b).toString('base64'));
      assert.deepEqual(fromBase64(s), b);
    }
  });

  it('refuses malformed and non-canonical base64', () => {
    for (const s of ['A', 'AA', 'AAA', 'AA=A', '=AAA', 'AB==', 'AAB=', 'A-_A', 'AA\nA', 'AAAA=', 'ÿAAA']) {
      assert.equal(fromBase64(s), undefined, JSON.stringify(s));
    }
    assert.deepEqual(fromBase64('AA=='), new Uint8Array([0]));
  });

  it('gunzips like zlib', async () => {
    const data = new Uint8Array(randomBytes(5000));
    assert.deepEqual(await gunzip(new Uint8Array(gzipSync(data))), data);
    await assert.rejects(gunzip(new Uint8Array([1, 2, 3])));
  });
});
