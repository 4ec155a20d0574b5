// Adapts a warm @veil/prover backend to the route's MembershipVerifier: the backend verifies the
// bundle against the one registry key passed in and the expected iss/aud/domain/time.
import type { Backend } from '@veil/prover';
import type { MembershipVerifier } from './context.ts';

export function proverVerifier(backend: Pick<Backend, 'verify'>): MembershipVerifier {
  return async (bundle, jwks, expect) => {
    const v = await backend.verify(bundle, jwks, expect);
    return { iss: v.iss, aud: v.aud, domain: v.domain, epk: v.epk, expiry: v.expiry, kid: v.kid };
  };
}
