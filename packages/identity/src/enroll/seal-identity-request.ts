// Client side of the enrollment channel (format and checks: request-envelope.ts).
import { VeilError } from '@veil/crypto';
import { generateChannelKey, sealToChannel, type ChannelKey } from '../channel.ts';
import { toBase64, toHex } from '@veil/crypto/bytes';
import { decodeSealed, replyAad, REPLY_INFO, REQUEST_INFO, type IdentityReply, type SealedMessage } from './request-envelope.ts';

/**
 * Client side: encrypts one request to the attested channel key with a fresh reply key.
 *
 * @example
 * import { sealIdentityRequest } from '@veil/identity/enroll';
 * const { message, openReply } = await sealIdentityRequest(channelPublicKey, 'participate', body);
 * const reply = await openReply(await (await fetch(url, { method: 'POST', body: JSON.stringify(message) })).json());
 * @throws VeilError ERR_CHANNEL_KEY_INVALID; openReply throws ERR_REPLY_INVALID.
 */
export async function sealIdentityRequest(
  channelPublicKey: Uint8Array,
  op: string,
  body: unknown,
  now: () => number = Date.now,
): Promise<{ message: SealedMessage; openReply(reply: unknown): Promise<IdentityReply> }> {
  const replyKey: ChannelKey = await generateChannelKey();
  const id = toHex(crypto.getRandomValues(new Uint8Array(16)));
  const plaintext = new TextEncoder().encode(JSON.stringify({ v: 1, op, id, ts: now(), reply: toHex(replyKey.publicKey), body }));
  const { enc, ciphertext } = await sealToChannel(channelPublicKey, plaintext, REQUEST_INFO, channelPublicKey);
  const aad = replyAad(enc, ciphertext);
  return {
    message: { v: 1, enc: toBase64(enc), ciphertext: toBase64(ciphertext) },
    async openReply(reply: unknown): Promise<IdentityReply> {
      const sealed = decodeSealed(reply, 'ERR_REPLY_INVALID');
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await replyKey.open(sealed, REPLY_INFO, aad)));
      } catch (cause) {
        throw new VeilError('ERR_REPLY_INVALID', 'the reply does not decrypt to this request\'s reply key', { cause });
      }
      const r = json as Record<string, unknown> | null;
      const err = r?.error as Record<string, unknown> | undefined;
      if (r?.v === 1 && r.ok === true && 'result' in r) return { v: 1, ok: true, result: r.result };
      if (r?.v === 1 && r.ok === false && typeof err?.code === 'string' && typeof err.message === 'string') {
        return { v: 1, ok: false, error: { code: err.code, message: err.message } };
      }
      throw new VeilError('ERR_REPLY_INVALID', 'the reply is not a version-1 identity reply');
    },
  };
}

