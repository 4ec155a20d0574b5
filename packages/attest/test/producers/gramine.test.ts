import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { createGramineProducer } from '../../src/producers/gramine.ts';
import { seal, unseal } from '../../src/seal.ts';
import { parseQuote } from '../../src/parse-quote.ts';
import { verifyQuote } from '../../src/verify-quote.ts';
import { startFakeGramine, buildSgxQuoteV3 } from './fake-gramine-device.ts';

const rd = (b: number) => new Uint8Array(64).fill(b);

test('gramine producer: measurement from my_target_info, quote carries the written report data', async () => {
  const dev = await startFakeGramine();
  try {
    const producer = await createGramineProducer({ root: dev.root });
    assert.equal(producer.type, 'sgx');
    assert.equal(producer.simulated, false);
    assert.equal(producer.measurement, bytesToHex(dev.mrenclave));
    const reportData = crypto.getRandomValues(new Uint8Array(64));
    const quote = await producer.evidence(reportData);
    assert.equal(dev.writes.length, 1);
    assert.deepEqual(dev.writes[0], reportData, 'exactly the 64 report-data bytes were written');
    const view = new DataView(quote.buffer, quote.byteOffset);
    assert.equal(view.getUint16(0, true), 3, 'quote version 3');
    assert.equal(view.getUint32(4, true), 0, 'SGX tee type');
    assert.deepEqual(quote.subarray(48 + 320, 48 + 384), reportData, 'REPORTDATA at body offset 320');
    assert.deepEqual(quote.subarray(48 + 64, 48 + 96), dev.mrenclave, 'MRENCLAVE at body offset 64');
    assert.equal(view.getUint32(432, true), quote.length - 436, 'signature data length covers the rest');
    // the verifier's parser reads the same fields from it …
    const parsed = parseQuote(quote);
    assert.equal(parsed.tee, 'sgx');
    assert.deepEqual(parsed.enclave!.reportData, reportData);
    assert.deepEqual(parsed.enclave!.mrEnclave, dev.mrenclave);
    // … and the verifier refuses it: its PCK chain slot holds a placeholder, not an Intel chain
    await assert.rejects(verifyQuote(quote, { at: new Date('2026-01-01T00:00:00Z') }), { code: 'ERR_QUOTE_MALFORMED' });
  } finally {
    await dev.stop();
  }
});

test('gramine producer: concurrent requests are serialised, each quote matches its own report data', async () => {
  const dev = await startFakeGramine();
  try {
    const producer = await createGramineProducer({ root: dev.root });
    const quotes = await Promise.all([1, 2, 3].map((b) => producer.evidence(rd(b))));
    quotes.forEach((q, i) => assert.deepEqual(q.subarray(368, 432), rd(i + 1)));
    assert.equal(dev.writes.length, 3);
  } finally {
    await dev.stop();
  }
});

for (const [what, offset, bit] of [
  ['does not carry our report data', 400, 1],
  ['is for another enclave', 112, 0x80],
] as const) {
  test(`gramine producer: a quote that ${what} is refused`, async () => {
    const dev = await startFakeGramine({
      tamper: (q) => {
        q[offset]! ^= bit;
        return q;
      },
    });
    try {
      const producer = await createGramineProducer({ root: dev.root });
      await assert.rejects(producer.evidence(rd(7)), { code: 'ERR_GRAMINE_QUOTE_MISMATCH' });
    } finally {
      await dev.stop();
    }
  });
}

test('gramine producer: a non-SGX or truncated quote is refused', async () => {
  for (const tamper of [(q: Uint8Array) => { q[4] = 0x81; return q; }, (q: Uint8Array) => q.slice(0, 400)]) {
    const dev = await startFakeGramine({ tamper });
    try {
      const producer = await createGramineProducer({ root: dev.root });
      await assert.rejects(producer.evidence(rd(1)), { code: 'ERR_GRAMINE_QUOTE_INVALID' });
    } finally {
      await dev.stop();
    }
  }
});

test('gramine producer: attestation_type other than dcap is refused', async () => {
  for (const t of ['none', 'epid']) {
    const dev = await startFakeGramine({ attestationType: t, maxQuotes: 0 });
    try {
      await assert.rejects(createGramineProducer({ root: dev.root }), { code: 'ERR_GRAMINE_ATTESTATION_TYPE' });
    } finally {
      await dev.stop();
    }
  }
});

test('gramine producer: not under Gramine, and malformed my_target_info', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-nogramine-'));
  try {
    await assert.rejects(createGramineProducer({ root: dir }), { code: 'ERR_GRAMINE_UNAVAILABLE' });
    await writeFile(join(dir, 'attestation_type'), 'dcap');
    await writeFile(join(dir, 'my_target_info'), new Uint8Array(100));
    await assert.rejects(createGramineProducer({ root: dir }), { code: 'ERR_GRAMINE_TARGET_INFO' });
    // target info present but no report-data pseudo-file: nothing is created, the request fails
    await writeFile(join(dir, 'my_target_info'), new Uint8Array(512));
    const producer = await createGramineProducer({ root: dir });
    await assert.rejects(producer.evidence(rd(1)), { code: 'ERR_GRAMINE_UNAVAILABLE' });
    await assert.rejects(producer.sealKey(), { code: 'ERR_GRAMINE_UNAVAILABLE' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('gramine producer: wrong report-data length is a caller mistake', async () => {
  const dev = await startFakeGramine({ maxQuotes: 0 });
  try {
    const producer = await createGramineProducer({ root: dev.root });
    assert.throws(() => producer.evidence(new Uint8Array(32)), TypeError);
  } finally {
    await dev.stop();
  }
});

test('gramine producer: seal key is the 16-byte _sgx_mrenclave key, and sealing round-trips', async () => {
  const dev = await startFakeGramine({ maxQuotes: 0 });
  try {
    const producer = await createGramineProducer({ root: dev.root });
    assert.deepEqual(await producer.sealKey(), dev.sealKey);
    const blob = await seal(new TextEncoder().encode('secret'), producer);
    assert.ok(!bytesToHex(blob).includes(bytesToHex(dev.sealKey)), 'the raw key never appears');
    assert.equal(new TextDecoder().decode(await unseal(blob, producer)), 'secret');
    await writeFile(join(dev.root, 'keys', '_sgx_mrenclave'), new Uint8Array(32));
    await assert.rejects(producer.sealKey(), { code: 'ERR_GRAMINE_SEAL_KEY' });
  } finally {
    await dev.stop();
  }
});

test('fake quote builder: debug flag lands in the attributes', () => {
  const q = buildSgxQuoteV3({ mrenclave: new Uint8Array(32), mrsigner: new Uint8Array(32), reportData: rd(0), debug: true });
  assert.equal(q[48 + 48]! & 0x02, 0x02);
});
