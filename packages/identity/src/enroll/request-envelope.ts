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
import { fromBase64 } from '@veil/crypto/bytes';

export const REQUEST_INFO = new TextEncoder().encode('veil-identity/request/v1');
export const REPLY_INFO = new TextEncoder().encode('veil-identity/reply/v1');
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

export function decodeSealed(m: unknown, code: string): { enc: Uint8Array; ciphertext: Uint8Array } {
  const s = m as Record<string, unknown> | null;
  if (!s || typeof s !== 'object' || s.v !== 1) throw new VeilError(code, 'not a version-1 sealed message');
  return { enc: fromBase64(s.enc, 64, code, 'enc'), ciphertext: fromBase64(s.ciphertext, MAX_MESSAGE_BYTES, code, 'ciphertext') };
}

export function replyAad(enc: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const both = new Uint8Array(enc.length + ciphertext.length);
  both.set(enc, 0);
  both.set(ciphertext, enc.length);
  return sha256(both);
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

