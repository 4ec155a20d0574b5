/**
 * The attested channel to the identity service, as the page opens it: the board only relays
 * ciphertext (`/api/identity-service/*`); the evidence is verified here against the measurement the
 * board advertises (compare it with the published build), and every request is HPKE-encrypted to
 * the attested key. Simulated evidence is accepted only in the development profile.
 */
import { connectIdentityService, type IdentityConnection } from '@veil/identity/enroll';
import type { ConfigResponse } from '@veil/server/schemas';

const RELAY = '/api/identity-service';

let open: { measurement: string; conn: Promise<IdentityConnection> } | null = null;

/**
 * A verified connection (one per page view and measurement).
 * @throws VeilError the evidence codes (ERR_MEASUREMENT_MISMATCH, ERR_SIMULATION_NOT_ALLOWED, …), or
 *   ERR_IDENTITY_SERVICE_NONE when the board runs no identity service.
 */
export function connectViaBoard(config: ConfigResponse): Promise<IdentityConnection> {
  const enclave = config.enclave;
  if (!enclave) return Promise.reject(Object.assign(new Error('this server runs no identity service'), { code: 'ERR_IDENTITY_SERVICE_NONE' }));
  if (open?.measurement === enclave.measurement) return open.conn;
  const conn = connectIdentityService({
    url: `${location.origin}${RELAY}`,
    measurements: [enclave.measurement],
    allowSimulation: config.profile === 'development' && enclave.simulated,
    // Loaded only for hardware evidence (the X.509 stack is large and not needed under simulation).
    verifySgxQuote: async (quote, policy) => (await import('@veil/attest/verify-quote')).verifyQuote(quote, { ...policy, at: new Date(), expectTee: 'sgx' }),
  });
  open = { measurement: enclave.measurement, conn };
  conn.catch(() => (open = null));
  return conn;
}
