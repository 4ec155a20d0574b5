// Service side of the enrollment channel (format and checks: request-envelope.ts).
import { VeilError } from '@veil/crypto';
import { sealToChannel, type ChannelKey } from '../channel.ts';
import { fromHex, toBase64 } from '@veil/crypto/bytes';
import { decodeSealed, replyAad, ReplayCache, REPLY_INFO, REQUEST_INFO, REQUEST_WINDOW_MS, type IdentityReply, type SealedMessage } from './request-envelope.ts';

/** A decrypted, fresh, first-seen request and the means to answer it. */
export interface OpenedRequest {
  op: string;
  body: unknown;
  /** Encrypts the reply to the request's reply key, bound to the request. */
  reply(answer: IdentityReply): Promise<SealedMessage>;
}

/**
 * Service side: opens, checks freshness and uniqueness of one request.
 *
 * @example
 * import { openIdentityRequest, ReplayCache } from '@veil/identity/enroll';
 * const req = await openIdentityRequest(channel, body, cache);
 * return req.reply({ v: 1, ok: true, result });
 * @throws VeilError ERR_REQUEST_MALFORMED, ERR_CHANNEL_DECRYPT (tampered or not for this key),
 *   ERR_REQUEST_STALE, ERR_REQUEST_REPLAYED
 */
export async function openIdentityRequest(channel: ChannelKey, message: unknown, cache: ReplayCache, now: number = Date.now()): Promise<OpenedRequest> {
  const sealed = decodeSealed(message, 'ERR_REQUEST_MALFORMED');
  const plaintext = await channel.open(sealed, REQUEST_INFO, channel.publicKey);
  let r: Record<string, unknown> | null;
  try {
    r = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext)) as Record<string, unknown> | null;
  } catch (cause) {
    throw new VeilError('ERR_REQUEST_MALFORMED', 'the request is not JSON', { cause });
  }
  if (!r || typeof r !== 'object' || r.v !== 1 || typeof r.op !== 'string' || typeof r.id !== 'string' || !/^[0-9a-f]{32}$/.test(r.id)
    || typeof r.ts !== 'number' || !Number.isSafeInteger(r.ts) || !('body' in r)) {
    throw new VeilError('ERR_REQUEST_MALFORMED', 'not a version-1 identity request');
  }
  const replyPublicKey = fromHex(r.reply, 32, 'ERR_REQUEST_MALFORMED', 'reply');
  if (Math.abs(r.ts - now) > REQUEST_WINDOW_MS) throw new VeilError('ERR_REQUEST_STALE', 'the request\'s timestamp is outside the accepted window');
  if (!cache.admit(r.id, now)) throw new VeilError('ERR_REQUEST_REPLAYED', 'this request was already received');
  const aad = replyAad(sealed.enc, sealed.ciphertext);
  return {
    op: r.op,
    body: r.body,
    async reply(answer: IdentityReply): Promise<SealedMessage> {
      const out = await sealToChannel(replyPublicKey, new TextEncoder().encode(JSON.stringify(answer)), REPLY_INFO, aad);
      return { v: 1, enc: toBase64(out.enc), ciphertext: toBase64(out.ciphertext) };
    },
  };
}
