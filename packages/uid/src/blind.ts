/**
 * RFC 9497 §3.3.2 Blind (VOPRF mode, ristretto255-SHA512): B = r · HashToGroup(input) with a fresh
 * random scalar r. The caller keeps `blind` (r) secret and sends only `blinded` (B); B is uniformly
 * distributed whatever the input, so a UID node learns nothing about it.
 * Not checked here: what the input means (canonicalisation is the identity service's job).
 */
import { MAX_INPUT_BYTES, type RNG } from './lib/group.ts';
import { blind } from './lib/voprf.ts';

/** One blinded input: keep `blind` secret, send `blinded`. */
export interface BlindedInput {
  input: Uint8Array;
  /** The blinding scalar r (32 bytes, little-endian). Secret. */
  blind: Uint8Array;
  /** B = r · H(input) (32-byte ristretto255 element). */
  blinded: Uint8Array;
}

/**
 * Blinds each input with its own fresh scalar.
 *
 * @example
 * import { blindInputs } from '@veil/uid/blind';
 * const [item] = blindInputs([new TextEncoder().encode('canonical record')]);
 * @throws TypeError when an input is not a Uint8Array of at most 65535 bytes, or the list is empty.
 */
export function blindInputs(inputs: readonly Uint8Array[], rng?: RNG): BlindedInput[] {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new TypeError('inputs must be a non-empty array');
  return inputs.map((input, i) => {
    if (!(input instanceof Uint8Array) || input.length > MAX_INPUT_BYTES) {
      throw new TypeError(`inputs[${i}] must be a Uint8Array of at most ${MAX_INPUT_BYTES} bytes`);
    }
    return { input, ...blind(input, rng) };
  });
}
