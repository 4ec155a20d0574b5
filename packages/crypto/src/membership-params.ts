/**
 * Size limits of the membership circuit (`circuits/membership`, `circuits/lib/jwt/src/claims.nr`),
 * shared by the input builder, the prover and verifiers. Changing one means recompiling the circuit.
 */
export const MEMBERSHIP_PARAMS = Object.freeze({
  /** Circuit name (circuits/circuits.json). */
  circuit: 'membership',
  /** `data` buffer: signed bytes hashed in the circuit after the SHA-256 prefix, incl. SHA padding. */
  dataBytes: 1088,
  /** Max signed bytes after the prefix (data_len + 9 <= dataBytes). */
  maxDataLen: 1079,
  /** Max nesting depth of the payload JSON (objects and arrays; the claims object is depth 1). */
  maxJsonDepth: 6,
  /** Max signing input (base64url(header) '.' base64url(payload)) accepted by buildInputs. */
  maxSignedBytes: 1536,
  /** Max bytes of iss, aud, domain, and of the e-mail address. */
  issBytes: 128,
  audBytes: 128,
  domainBytes: 64,
  emailBytes: 128,
  /** Packed public string fields (31 bytes each). */
  stringFields: 5,
  domainFields: 3,
  /** Max digits of iat. */
  iatDigits: 12,
  /** expiry <= iat + expiryWindow (seconds; 14 days). */
  expiryWindow: 14 * 86400,
  /** The key of the "e-mail verified" claim (Entra would use xms_edov). */
  verifiedClaim: 'email_verified',
});
