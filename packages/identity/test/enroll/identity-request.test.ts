import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateChannelKey } from '../../src/channel.ts';
import { openIdentityRequest } from '../../src/enroll/open-identity-request.ts';
import { ReplayCache, REQUEST_WINDOW_MS } from '../../src/enroll/request-envelope.ts';
import { sealIdentityRequest } from '../../src/enroll/seal-identity-request.ts';
import { fromBase64, toBase64 } from '@veil/crypto/bytes';

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: { code?: string }) => e.code === code);
}

test('a request opens once, its reply opens only for that request', async () => {
  const channel = await generateChannelKey();
  const cache = new ReplayCache();
  const a = await sealIdentityRequest(channel.publicKey, 'participate', { context: 'x' });
  const b = await sealIdentityRequest(channel.publicKey, 'participate', { context: 'x' });
  const opened = await openIdentityRequest(channel, a.message, cache);
  assert.equal(opened.op, 'participate');
  assert.deepEqual(opened.body, { context: 'x' });
  const reply = await opened.reply({ v: 1, ok: true, result: { accepted: true } });
  assert.deepEqual(await a.openReply(reply), { v: 1, ok: true, result: { accepted: true } });
  await rejects(b.openReply(reply), 'ERR_REPLY_INVALID');   // reply is bound to request a
  await rejects(openIdentityRequest(channel, a.message, cache), 'ERR_REQUEST_REPLAYED');
});

test('tampered, misaddressed, stale and malformed requests are refused', async () => {
  const channel = await generateChannelKey();
  const other = await generateChannelKey();
  const cache = new ReplayCache();
  const { message } = await sealIdentityRequest(channel.publicKey, 'session', {});
  for (const field of ['enc', 'ciphertext'] as const) {
    const bytes = fromBase64(message[field], 1 << 20, 'X', field);
    for (const i of [0, bytes.length - 1]) {
      const t = bytes.slice();
      t[i]! ^= 1;
      await rejects(openIdentityRequest(channel, { ...message, [field]: toBase64(t) }, cache), 'ERR_CHANNEL_DECRYPT');
    }
  }
  await rejects(openIdentityRequest(other, message, cache), 'ERR_CHANNEL_DECRYPT');
  const old = await sealIdentityRequest(channel.publicKey, 'session', {}, () => Date.now() - REQUEST_WINDOW_MS - 1000);
  await rejects(openIdentityRequest(channel, old.message, cache), 'ERR_REQUEST_STALE');
  for (const bad of [null, {}, { v: 2, enc: message.enc, ciphertext: message.ciphertext }, { v: 1, enc: '!!', ciphertext: message.ciphertext }]) {
    await rejects(openIdentityRequest(channel, bad, cache), 'ERR_REQUEST_MALFORMED');
  }
  // after all those failures, the genuine request still opens (failures leave no trace)
  await openIdentityRequest(channel, message, cache);
});

test('a reply tampered in transit is refused', async () => {
  const channel = await generateChannelKey();
  const a = await sealIdentityRequest(channel.publicKey, 'session', {});
  const reply = await (await openIdentityRequest(channel, a.message, new ReplayCache())).reply({ v: 1, ok: true, result: 1 });
  const c = fromBase64(reply.ciphertext, 1 << 20, 'X', 'c');
  c[3]! ^= 0x80;
  await rejects(a.openReply({ ...reply, ciphertext: toBase64(c) }), 'ERR_REPLY_INVALID');
});
