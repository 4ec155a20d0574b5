/**
 * Nullifier of an identity secret in a scope: Poseidon2([NULLIFIER_TAG, scopeToField(scope), secret]).
 * The same person gets the same value in one scope (so a second action is refused) and unrelated
 * values in different scopes (so actions cannot be linked without the secret).
 */
import { poseidon2 } from '../lib/poseidon2.ts';
import { NULLIFIER_TAG, afieldHex, fieldToHex } from './fields.ts';
import { scopeToField } from './scope-to-field.ts';

/**
 * @example
 * import { deriveNullifier } from '@veil/crypto';
 * const nullifier = await deriveNullifier('poll:00112233445566778899aabbccddeeff', secret);
 * @throws TypeError on a malformed secret or scope.
 */
export async function deriveNullifier(scope: string, secret: string): Promise<string> {
  const s = afieldHex('secret', secret);
  return fieldToHex((await poseidon2())([NULLIFIER_TAG, scopeToField(scope), s]));
}
