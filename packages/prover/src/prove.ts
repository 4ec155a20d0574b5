import type { MembershipBundle } from './bundle.ts';
import { createBackend, type Backend, type BackendOptions } from './create-backend.ts';
import type { ProveInput } from './lib/prove-membership.ts';

export type { ProveInput } from './lib/prove-membership.ts';

/**
 * Proves "the holder of `epk` owns an ID token signed by the issuer key `jwk`, for `aud`, in group
 * `domain`" under `variant`'s statement (default from `iss`; oidc: the verified email's domain,
 * google: the Workspace `hd`) with that variant's circuit, and returns a bundle recording the variant. Runs the TypeScript pre-checks first
 * (unless `unchecked`), then the circuit (witness), then UltraHonk; the bundle is verified with the
 * precomputed key before it is returned.
 * Pass `backend` to reuse a warm one; otherwise a backend is created and destroyed for this call.
 * @example
 * import { prove } from '@veil/prover/prove';
 * const bundle = await prove({ token, jwk, epk, salt, expiry, crs: 'test' });
 * @throws VeilError from the pre-checks (ERR_TOKEN_*, ERR_KEY_*), ERR_VARIANT_UNSUPPORTED (no circuit for the variant),
 *   ERR_STATEMENT_UNSATISFIED when the circuit rejects the token.
 * @throws TypeError on an unknown variant name.
 */
export async function prove(input: ProveInput, options: BackendOptions & { backend?: Backend } = {}): Promise<MembershipBundle> {
  if (options.backend) return options.backend.prove(input);
  const backend = await createBackend({ ...options, ...(input.crs ? { crs: input.crs } : {}) });
  try {
    return await backend.prove(input);
  } finally {
    await backend.destroy();
  }
}
