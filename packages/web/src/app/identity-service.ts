/**
 * The attested channel to the identity service, as the page opens it: the board only relays
 * ciphertext (`/api/identity-service/*`); the evidence is verified here against the measurement the
 * board advertises (compare it with the published build), and every request is HPKE-encrypted to
 * the attested key. Simulated evidence is accepted only in the development profile.
 */
import { connectIdentityService, verifyRegistrarAttestation, type IdentityConnection } from '@veil/identity/enroll';
import type { SgxQuoteVerifier } from '@veil/identity';
import type { ConfigResponse } from '@veil/server/schemas';

const RELAY = '/api/identity-service';

// Loaded only for hardware evidence (the X.509 stack is large and not needed under simulation).
const verifySgxQuote: SgxQuoteVerifier = async (quote, policy) => (await import('@veil/attest/verify-quote')).verifyQuote(quote, { ...policy, at: new Date(), expectTee: 'sgx' });

const fail = (code: string, message: string) => Object.assign(new Error(message), { code });

let open: { measurement: string; conn: Promise<IdentityConnection> } | null = null;

/**
 * A verified connection (one per page view and measurement).
 * @throws VeilError the evidence codes (ERR_MEASUREMENT_MISMATCH, ERR_SIMULATION_NOT_ALLOWED, …), or
 *   ERR_IDENTITY_SERVICE_NONE when the board runs no identity service.
 */
export function connectViaBoard(config: ConfigResponse): Promise<IdentityConnection> {
  const enclave = config.enclave;
  if (!enclave) return Promise.reject(fail('ERR_IDENTITY_SERVICE_NONE', 'this server runs no identity service'));
  if (open?.measurement === enclave.measurement) return open.conn;
  const conn = connectIdentityService({
    url: `${location.origin}${RELAY}`,
    measurements: [enclave.measurement],
    allowSimulation: config.profile === 'development' && enclave.simulated,
    verifySgxQuote,
  });
  open = { measurement: enclave.measurement, conn };
  conn.catch(() => (open = null));
  return conn;
}

/**
 * The registrar key leaf signatures must carry: the one the identity service's evidence binds
 * (relayed by the board, checked here against the same measurement and simulation rule as the
 * channel), and the board must name that same key in `GET /api/groups`. A board naming a key of
 * its own — to add members of its own — is caught here, before any leaf is trusted.
 * @throws ERR_REGISTRAR_NOT_CONFIGURED, ERR_REGISTRAR_UNATTESTED, ERR_REGISTRAR_MISMATCH and the evidence codes.
 */
export async function attestedRegistrar(config: ConfigResponse, named: string | null): Promise<string> {
  if (named === null) throw fail('ERR_REGISTRAR_NOT_CONFIGURED', 'this board has no registrar, so its groups cannot be checked');
  const enclave = config.enclave;
  if (!enclave) throw fail('ERR_REGISTRAR_UNATTESTED', 'this board runs no identity service, so nothing vouches for the registrar key it names');
  const res = await fetch(`${RELAY}/identity/v1/signer`, { headers: { accept: 'application/json' } });
  const signer = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) throw fail('ERR_REGISTRAR_UNATTESTED', `the identity service's registrar key could not be fetched (HTTP ${res.status})`);
  const r = await verifyRegistrarAttestation(signer, {
    measurements: [enclave.measurement],
    allowSimulation: config.profile === 'development' && enclave.simulated,
    verifySgxQuote,
  }, named);
  return r.publicKey;
}
