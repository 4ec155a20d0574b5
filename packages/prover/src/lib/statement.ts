// The membership statement's TypeScript side lives in @veil/crypto (buildInputs, encodePublicInputs,
// encodeEntraPublicInputs); this file only adapts it to the prover: public inputs as bytes, per
// variant and circuit (oidc and google: 50 with the group in `domain` and the public header, 37 for
// their circuits from before it; entra: 46).
import { encodeEntraPublicInputs, encodePublicInputs, VeilError, type Variant } from '@veil/crypto';
import { hexToBytes } from './bytes.ts';

/** The claims a bundle carries (epk as lowercase hex). */
export interface MembershipClaims {
  iss: string;
  aud: string;
  /** oidc: the email's domain; google: the Workspace `hd`; entra: the tenant (`tid`). */
  domain: string;
  epk: string;
  expiry: number;
  kid: string;
  /**
   * base64url(header) as signed (public: the verifier checks alg and kid and rehashes it); absent
   * only in bundles of circuits from before the public header.
   */
  header?: string;
  /** entra: the email domain bound through xms_edov (absent: not bound). */
  emailDomain?: string;
}

/** The v2.0 issuer the entra circuit binds to the tenant (iss is not a public input of its own). */
const entraIssuer = (tid: string): string => `https://login.microsoftonline.com/${tid}/v2.0`;

/**
 * The circuit's public inputs, 32 bytes each, in ABI order, as bb.js lays them out. `jwk` is the
 * issuer key (the bundle's header is checked against its kid); `circuit.publicHeader` says whether
 * the circuit takes the header (every current one; not the oidc / google circuits released before).
 * @throws VeilError ERR_BUNDLE_MALFORMED (claims that do not belong to the circuit), ERR_TOKEN_ALG /
 *   ERR_KEY_MISMATCH (the header), and for entra ERR_CLAIM_INVALID / ERR_TENANT_CONSUMER (tenant).
 * @throws TypeError when a claim cannot be encoded.
 */
export function publicInputBytes(claims: MembershipClaims, jwk: JsonWebKey, circuit: { variant: Variant; publicHeader: boolean }): { fields: string[]; bytes: Uint8Array } {
  const { variant } = circuit;
  if (circuit.publicHeader !== (claims.header !== undefined)) {
    throw new VeilError('ERR_BUNDLE_MALFORMED', circuit.publicHeader ? 'the bundle must carry the token header (claims.header): its circuit takes it as public input' : 'this circuit predates the public header: its bundles carry none');
  }
  let fields: string[];
  if (variant === 'entra') {
    if (claims.iss !== entraIssuer(claims.domain)) {
      throw new VeilError('ERR_BUNDLE_MALFORMED', `the entra statement binds iss ${entraIssuer(claims.domain)} to the tenant, not ${claims.iss}`);
    }
    fields = encodeEntraPublicInputs({
      jwk,
      aud: claims.aud,
      tenant: claims.domain,
      emailDomain: claims.emailDomain ?? '',
      epk: hexToBytes(claims.epk),
      expiry: claims.expiry,
      header: claims.header!,
    });
  } else {
    if (claims.emailDomain !== undefined) {
      throw new VeilError('ERR_BUNDLE_MALFORMED', `a ${variant} bundle carries no emailDomain (its circuit does not bind it)`);
    }
    fields = encodePublicInputs({
      jwk,
      iss: claims.iss,
      aud: claims.aud,
      domain: claims.domain,
      epk: hexToBytes(claims.epk),
      expiry: claims.expiry,
      ...(claims.header !== undefined ? { header: claims.header } : {}),
    });
  }
  fields = fields.map((f: string) => `0x${BigInt(f).toString(16).padStart(64, '0')}`);
  const bytes = new Uint8Array(fields.length * 32);
  fields.forEach((f, i) => bytes.set(hexToBytes(f.slice(2)), i * 32));
  return { fields, bytes };
}
