// Ed25519 verification with node:crypto (OpenSSL): several times faster than a JS implementation,
// same strict RFC 8032 acceptance as @veil/crypto verifySignature (s < L, canonical encodings).
// Public KeyObjects are cached by hex (bounded) since members sign many posts with one key.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { VeilError } from '@veil/crypto';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const cache = new Map<string, KeyObject>();
const MAX = 10_000;

function keyFor(epk: string): KeyObject {
  let k = cache.get(epk);
  if (!k) {
    try {
      k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(epk, 'hex')]), format: 'der', type: 'spki' });
    } catch (cause) {
      throw new VeilError('ERR_SIGNATURE_INVALID', 'public key is not a valid Ed25519 point', { cause });
    }
    if (cache.size >= MAX) cache.delete(cache.keys().next().value!);
    cache.set(epk, k);
  }
  return k;
}

/** Throws ERR_SIGNATURE_INVALID unless `signature` (hex) by `epk` (hex) verifies over `payload`. Inputs are schema-checked hex. */
export function verifyEd25519(payload: Uint8Array, signature: string, epk: string): void {
  let ok = false;
  try {
    ok = verify(null, payload, keyFor(epk), Buffer.from(signature, 'hex'));
  } catch {
    ok = false;
  }
  if (!ok) throw new VeilError('ERR_SIGNATURE_INVALID', 'Ed25519 signature does not verify');
}
