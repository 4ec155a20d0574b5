// Signs an issuer-key observation inside the service with the attested claims key (format:
// @veil/crypto/key-observation; the signer block is the one claims files carry).
import { exportSimulationRoot } from '@veil/attest/simulation-root';
import { toBase64, toHex } from '@veil/crypto/bytes';
import { parseKeyObservation, signKeyObservationWith, type KeyObservation, type KeyObservationFact } from '@veil/crypto/key-observation';
import type { ClaimsSigner } from '../enroll/claims-signer.ts';

/**
 * @example
 * const obs = signKeyObservation(signer, { iss, jwks_uri, kid, n, e, observed_at }, simulationRoot);
 * @throws VeilError ERR_OBSERVATION_MALFORMED when a field is outside the format (e.g. a kid with spaces).
 */
export function signKeyObservation(signer: ClaimsSigner, fact: KeyObservationFact, simulationRoot?: Uint8Array): KeyObservation {
  const block = {
    publicKey: toHex(signer.publicKey),
    channelPublicKey: toHex(signer.channelPublicKey),
    evidenceType: signer.type,
    evidence: toBase64(signer.evidence),
    ...(signer.type === 'simulation' && simulationRoot ? { simulationRoot: exportSimulationRoot(simulationRoot) } : {}),
  };
  return parseKeyObservation(signKeyObservationWith(fact, block, signer.sign));
}
