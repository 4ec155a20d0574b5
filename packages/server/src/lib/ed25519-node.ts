// Ed25519 verification under Veil's one strict rule (@veil/crypto ed25519-strict: S < L, canonical
// A and R, neither of small order), with OpenSSL (node:crypto) for the equation: several times
// faster than a JS implementation, and the same cofactorless equation as @veil/crypto
// verifySignature. OpenSSL alone accepts R = identity, S = 0 for a small-order key on any message,
// so the key checks run first (once per key: KeyObjects are cached by hex, bounded, since members
// sign many posts with one key) and R/S are checked on every signature (byte comparisons only).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { VeilError, aEd25519PublicKey, aEd25519Signature, isVeilError } from '@veil/crypto';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const cache = new Map<string, KeyObject>();
const MAX = 10_000;

function keyFor(epk: string): KeyObject {
  let k = cache.get(epk);
  if (!k) {
    const raw = Buffer.from(epk, 'hex');
    try {
      aEd25519PublicKey(raw);
      k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    } catch (cause) {
      throw new VeilError('ERR_SIGNATURE_INVALID', isVeilError(cause) ? cause.message : 'public key is not a valid Ed25519 point', { cause });
    }
    if (cache.size >= MAX) cache.delete(cache.keys().next().value!);
    cache.set(epk, k);
  }
  return k;
}

/** Throws ERR_SIGNATURE_INVALID unless `signature` (hex) by `epk` (hex) verifies over `payload`. Inputs are schema-checked hex. */
export function verifyEd25519(payload: Uint8Array, signature: string, epk: string): void {
  const key = keyFor(epk);
  const sig = aEd25519Signature(Buffer.from(signature, 'hex'));
  let ok = false;
  try {
    ok = verify(null, payload, key, sig);
  } catch {
    ok = false;
  }
  if (!ok) throw new VeilError('ERR_SIGNATURE_INVALID', 'Ed25519 signature does not verify');
}
