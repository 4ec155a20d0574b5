import { createBackend, type Backend, type BackendOptions } from './create-backend.ts';
import type { VerifiedMembership, VerifyExpectations } from './lib/verify-membership.ts';

export type { VerifiedMembership, VerifyExpectations } from './lib/verify-membership.ts';

/**
 * Verifies a membership bundle against the issuer's JWKS and the verifier's expectations (`iss` and
 * `aud` mandatory; `anyAudience: true` for diagnostics only), and returns the verified claims. The public inputs are rebuilt from the bundle's claims and the JWKS
 * key named by `kid`; nothing client-supplied is used as a public input directly.
 * Test-CRS bundles are rejected unless `expect.allowTestCrs` (default: `VEIL_CRS=test`).
 * Pass `backend` to reuse a warm one (servers); otherwise one is created and destroyed per call.
 * @example
 * import { verify } from '@veil/prover/verify';
 * const claims = await verify(bundle, jwks, { iss: 'https://accounts.google.com', aud: CLIENT_ID });
 * @throws TypeError without `expect.iss`, or without `expect.aud` (unless `expect.anyAudience`).
 * @throws VeilError ERR_BUNDLE_MALFORMED, ERR_CRS_NOT_ACCEPTED, ERR_CIRCUIT_UNKNOWN, ERR_JWKS_MALFORMED,
 *   ERR_KEY_UNKNOWN, ERR_KEY_UNSUPPORTED, ERR_ISS_MISMATCH, ERR_AUD_MISMATCH, ERR_DOMAIN_MISMATCH, ERR_EMAIL_DOMAIN_MISMATCH,
 *   ERR_VARIANT_MISMATCH,
 *   ERR_PROOF_EXPIRED, ERR_PROOF_INVALID
 */
export async function verify(
  bundle: unknown,
  jwks: unknown,
  expect: VerifyExpectations,
  options: BackendOptions & { backend?: Backend } = {},
): Promise<VerifiedMembership> {
  if (options.backend) return options.backend.verify(bundle, jwks, expect);
  const backend = await createBackend(options);
  try {
    return await backend.verify(bundle, jwks, expect);
  } finally {
    await backend.destroy();
  }
}
