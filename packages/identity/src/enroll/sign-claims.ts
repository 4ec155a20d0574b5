// Issues a claims file inside the service (format and signed bytes: claims-file.ts).
import { exportSimulationRoot } from '@veil/attest/simulation-root';
import { toBase64, toHex } from '@veil/crypto/bytes';
import type { ClaimsSigner } from './claims-signer.ts';
import { CLAIMS_TYPE, claimsSignedBytes, type ClaimSet, type ClaimsFile } from './claims-file.ts';
import { aUserPublicKey, type UserPublicKey } from './user-key.ts';

/**
 * Issues a claims file for `subject` (inside the service).
 *
 * @example
 * const file = signClaims(signer, subject, { nationality: 'NL', age_over_18: true, unique: true }, new Date(), rootPublicKey);
 * @throws VeilError ERR_KEY_INVALID on a malformed subject.
 */
export function signClaims(signer: ClaimsSigner, subject: UserPublicKey, claims: ClaimSet, at: Date, simulationRoot?: Uint8Array): ClaimsFile {
  const doc: Omit<ClaimsFile, 'signature'> = {
    v: 1,
    type: CLAIMS_TYPE,
    subject: aUserPublicKey(subject),
    claims: { nationality: claims.nationality, age_over_18: claims.age_over_18, unique: true },
    issuedAt: at.toISOString(),
    signer: {
      publicKey: toHex(signer.publicKey),
      channelPublicKey: toHex(signer.channelPublicKey),
      evidenceType: signer.type,
      evidence: toBase64(signer.evidence),
      ...(signer.type === 'simulation' && simulationRoot ? { simulationRoot: exportSimulationRoot(simulationRoot) } : {}),
    },
  };
  return { ...doc, signature: toHex(signer.sign(claimsSignedBytes(doc))) };
}

