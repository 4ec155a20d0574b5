// The record wire in isolation: handshake-key records pass at once, application-key records are
// held until release and must carry exactly the expected request, anything else fails closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import { isVeilError } from '@veil/crypto';
import { RecordWire } from '../../src/notary/lib/record-wire.ts';
import { deriveTrafficKeys, recordNonce, type TrafficKeys } from '../../src/notary/lib/tls13-record.ts';

function seal(keys: TrafficKeys, seq: bigint, content: Uint8Array, type: number): Uint8Array {
  const inner = new Uint8Array([...content, type]);
  const header = new Uint8Array([23, 3, 3, (inner.length + 16) >> 8, (inner.length + 16) & 0xff]);
  const c = createCipheriv('aes-128-gcm', keys.key, recordNonce(keys.iv, seq));
  c.setAAD(header);
  return new Uint8Array(Buffer.concat([header, c.update(inner), c.final(), c.getAuthTag()]));
}

function setup() {
  const sent: Buffer[] = [];
  // The provider's socket: records the wire writes to it.
  const raw = new Duplex({ read() {}, write(chunk: Buffer, _e, cb) { sent.push(chunk); cb(); } });
  const wire = new RecordWire(raw);
  wire.handshakeKeys = deriveTrafficKeys(randomBytes(32));
  wire.applicationKeys = deriveTrafficKeys(randomBytes(32));
  return { wire, sent, write: (b: Uint8Array) => new Promise<Error | null | undefined>((r) => wire.write(b, (e) => r(e))) };
}

const request = new TextEncoder().encode('GET /me HTTP/1.1\r\nHost: h\r\nauthorization: Bearer xxxxxxxx\r\n\r\n');

test('plaintext and handshake records pass; the request is held in pieces and released in order', async () => {
  const { wire, sent, write } = setup();
  const captured = wire.expectRequest(request);
  const ccs = new Uint8Array([20, 3, 3, 0, 1, 1]);
  const finished = seal(wire.handshakeKeys!, 0n, randomBytes(36), 22);
  const a = seal(wire.applicationKeys!, 0n, request.subarray(0, 20), 23);
  const b = seal(wire.applicationKeys!, 1n, request.subarray(20), 23);
  // Split the byte stream at odd places: records are reassembled before sorting.
  const stream = Buffer.concat([ccs, finished, a, b]);
  for (const cut of [[0, 3], [3, 30], [30, 80], [80, stream.length]]) assert.ok(!(await write(stream.subarray(cut[0], cut[1]))));
  assert.deepEqual(Buffer.concat(sent), Buffer.concat([ccs, finished]), 'only the handshake went out');
  const records = await captured;
  assert.deepEqual(records.map((r) => [r.start, r.length]), [[0, 20], [20, request.length - 20]]);
  const patched = new Uint8Array(b);
  wire.release(new Map([[1, patched]]));
  assert.deepEqual(Buffer.concat(sent), Buffer.concat([ccs, finished, a, patched]));
});

test('application data that is not the expected request, or a record under no known key, fails closed', async () => {
  for (const make of [
    (k: RecordWire) => seal(k.applicationKeys!, 0n, new TextEncoder().encode('GET /other HTTP/1.1\r\n'), 23),
    (k: RecordWire) => seal(k.applicationKeys!, 0n, new Uint8Array([...request, 0x41]), 23), // longer than the request
    (k: RecordWire) => seal(k.applicationKeys!, 7n, request, 23), // wrong sequence number
    (_k: RecordWire) => seal(deriveTrafficKeys(randomBytes(32)), 0n, request, 23), // another key
  ]) {
    const { wire, sent, write } = setup();
    void wire.expectRequest(request);
    wire.on('error', () => {});
    const err = await write(make(wire));
    assert.ok(isVeilError(err, 'ERR_PROVIDER_TLS_RECORD'), String(err));
    assert.equal(sent.length, 0, 'nothing was sent');
  }
});
