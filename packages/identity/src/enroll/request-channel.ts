/**
 * The enrollment channel: every request to the identity service is HPKE-encrypted (RFC 9180 base
 * mode, DHKEM(X25519)/HKDF-SHA256/AES-256-GCM, channel.ts) to the channel key that the service's
 * evidence binds, and carries a fresh reply key; the answer comes back HPKE-encrypted to that
 * reply key. So the host, the operator's proxies and the board server see only ciphertext.
 *
 *   request  info "veil-identity/request/v1", aad = channel public key;
 *            plaintext JSON { v:1, op, id (16 random bytes hex), ts (ms), reply (X25519 hex), body }
 *   reply    info "veil-identity/reply/v1", aad = SHA-256(request enc ‖ request ciphertext);
 *            plaintext JSON { v:1, ok:true, result } | { v:1, ok:false, error:{code,message} }
 *
 * Checks on the service side, in order: size, HPKE open (a tampered byte fails the AEAD), JSON
 * shape, `ts` within ±WINDOW of the service clock, `id` not seen within the window (a replayed
 * request is refused: the replay cache holds ids until they fall out of the window). Binding the
 * reply to the request's bytes stops a relay from pairing an old answer with a new request.
 * Not hidden: the size and timing of messages, and that a given client talks to the service.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { VeilError } from '@veil/crypto';
import { generateChannelKey, sealToChannel, type ChannelKey } from '../channel.ts';
import { fromBase64, fromHex, toBase64, toHex } from '../lib/encoding.ts';

const REQUEST_INFO = new TextEncoder().encode('veil-identity/request/v1');
const REPLY_INFO = new TextEncoder().encode('veil-identity/reply/v1');
/** Largest encrypted request or reply accepted (claims files with SGX evidence are ~10 KiB). */
export const MAX_MESSAGE_BYTES = 128 * 1024;
/** How far a request's timestamp may be from the service clock. */
export const REQUEST_WINDOW_MS = 120_000;

/** An encrypted message on the wire: `{ v: 1, enc, ciphertext }` (base64). */
export interface SealedMessage {
  v: 1;
  enc: string;
  ciphertext: string;
}

/** A decrypted reply: a result or a service error. */
export type IdentityReply = { v: 1; ok: true; result: unknown } | { v: 1; ok: false; error: { code: string; message: string } };

function decodeSealed(m: unknown, code: string): { enc: Uint8Array; ciphertext: Uint8Array } {
  const s = m as Record<string, unknown> | null;
  if (!s || typeof s !== 'object' || s.v !== 1) throw new VeilError(code, 'not a version-1 sealed message');
  return { enc: fromBase64(s.enc, 64, code, 'enc'), ciphertext: fromBase64(s.ciphertext, MAX_MESSAGE_BYTES, code, 'ciphertext') };
}

function replyAad(enc: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const both = new Uint8Array(enc.length + ciphertext.length);
  both.set(enc, 0);
  both.set(ciphertext, enc.length);
  return sha256(both);
}

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

/** A decrypted, fresh, first-seen request and the means to answer it. */
export interface OpenedRequest {
  op: string;
  body: unknown;
  /** Encrypts the reply to the request's reply key, bound to the request. */
  reply(answer: IdentityReply): Promise<SealedMessage>;
}

/** Request ids seen within the window (replay cache). */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number = REQUEST_WINDOW_MS) {}
  /** Records `id` at time `ts`; false when it was already there. */
  admit(id: string, now: number): boolean {
    for (const [k, t] of this.seen) {
      if (t > now - 2 * this.windowMs) break;
      this.seen.delete(k);
    }
    if (this.seen.has(id)) return false;
    this.seen.set(id, now);
    return true;
  }
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
