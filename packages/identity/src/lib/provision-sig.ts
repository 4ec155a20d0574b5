// The agent's signature over a provisioned secret (optional; the service checks it when it was
// built with the agent's public key pinned, e.g. in the Gramine manifest and so in MRENCLAVE).
// Ed25519 over: "veil-enclave/provision-secret-sig/v1" ‖ 0x00 ‖ challenge(32) ‖ channel key(32)
//   ‖ len(enc) u16 ‖ enc ‖ ciphertext — binding the secret to this session and this enclave instance.
import { ed25519 } from '@noble/curves/ed25519.js';

const TAG = new TextEncoder().encode('veil-enclave/provision-secret-sig/v1\0');

export function provisionSignedBytes(challenge: Uint8Array, channelPublicKey: Uint8Array, enc: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const out = new Uint8Array(TAG.length + 64 + 2 + enc.length + ciphertext.length);
  let o = 0;
  out.set(TAG, o); o += TAG.length;
  out.set(challenge, o); o += 32;
  out.set(channelPublicKey, o); o += 32;
  out[o++] = enc.length >> 8;
  out[o++] = enc.length & 0xff;
  out.set(enc, o); o += enc.length;
  out.set(ciphertext, o);
  return out;
}

export function signProvision(secretKey: Uint8Array, msg: Uint8Array): Uint8Array {
  return ed25519.sign(msg, secretKey);
}

export function verifyProvisionSig(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, publicKey);
  } catch {
    return false;
  }
}

/** Public key (32 bytes) of an agent secret key. */
export function agentPublicKey(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}
