// RFC 9497 Evaluate (the server computing the output from the input and the key, no blinding):
// noble ships it on `voprf` without declaring it in its types. Tests use it as an independent
// single-key reference.
import { ristretto255_oprf } from '@noble/curves/ed25519.js';

const voprf = ristretto255_oprf.voprf as unknown as { evaluate(secretKey: Uint8Array, input: Uint8Array): Uint8Array };

export function evaluateDirect(secretKey: Uint8Array, input: Uint8Array): Uint8Array {
  return voprf.evaluate(secretKey, input);
}
