/**
 * The service's channel key: an X25519 key pair held in memory by the enclave service, to which
 * provisioning agents encrypt secrets with HPKE (RFC 9180, base mode,
 * DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM, via @hpke/core on WebCrypto).
 * The private key is non-extractable and never leaves the process; its public half is what
 * evidence binds (see report-data.ts).
 */
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from '@hpke/core';
import { VeilError } from '@veil/crypto';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });

/** An in-memory X25519 channel key. */
export interface ChannelKey {
  /** Raw 32-byte X25519 public key. */
  readonly publicKey: Uint8Array;
  /** Decrypts an HPKE message addressed to this key. */
  open(message: { enc: Uint8Array; ciphertext: Uint8Array }, info: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
}

function ab(u: Uint8Array): ArrayBuffer {
  return u.slice().buffer as ArrayBuffer;
}

/**
 * Generates a fresh channel key.
 *
 * @example
 * import { generateChannelKey } from '@veil/identity/channel';
 * const channel = await generateChannelKey();
 */
export async function generateChannelKey(): Promise<ChannelKey> {
  const keyPair = await suite.kem.generateKeyPair();
  const publicKey = new Uint8Array(await suite.kem.serializePublicKey(keyPair.publicKey));
  return Object.freeze({
    publicKey,
    async open(message: { enc: Uint8Array; ciphertext: Uint8Array }, info: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
      try {
        const ctx = await suite.createRecipientContext({ recipientKey: keyPair, enc: ab(message.enc), info: ab(info) });
        return new Uint8Array(await ctx.open(ab(message.ciphertext), ab(aad)));
      } catch (cause) {
        throw new VeilError('ERR_CHANNEL_DECRYPT', 'cannot decrypt a message addressed to the channel key', { cause });
      }
    },
  });
}

/**
 * Encrypts `plaintext` to a channel public key (HPKE base mode).
 *
 * @example
 * import { sealToChannel } from '@veil/identity/channel';
 * const msg = await sealToChannel(channelPublicKey, secret, info, aad);
 * @throws VeilError ERR_CHANNEL_KEY_INVALID when the public key is not a usable X25519 key.
 */
export async function sealToChannel(
  publicKey: Uint8Array,
  plaintext: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
): Promise<{ enc: Uint8Array; ciphertext: Uint8Array }> {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new TypeError('publicKey must be 32 bytes');
  let recipientPublicKey: CryptoKey;
  try {
    recipientPublicKey = await suite.kem.deserializePublicKey(ab(publicKey));
  } catch (cause) {
    throw new VeilError('ERR_CHANNEL_KEY_INVALID', 'channel public key is not a valid X25519 key', { cause });
  }
  let sender;
  try {
    sender = await suite.createSenderContext({ recipientPublicKey, info: ab(info) });
  } catch (cause) {
    // e.g. a low-order point, whose shared secret would be all zeros
    throw new VeilError('ERR_CHANNEL_KEY_INVALID', 'cannot encrypt to this channel public key', { cause });
  }
  const ciphertext = new Uint8Array(await sender.seal(ab(plaintext), ab(aad)));
  return { enc: new Uint8Array(sender.enc), ciphertext };
}
