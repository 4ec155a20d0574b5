// The membership statement's TypeScript side lives in @veil/crypto (buildInputs, encodePublicInputs);
// this file only adapts it to the prover: public inputs as bytes. Every membership variant has these
// 37 public inputs (the group in `domain`); a variant with others would add its encoder here.
import { encodePublicInputs } from '@veil/crypto';
import { hexToBytes } from './bytes.ts';

/** The claims a bundle carries (epk as lowercase hex). */
export interface MembershipClaims {
  iss: string;
  aud: string;
  domain: string;
  epk: string;
  expiry: number;
  kid: string;
}

/** The circuit's public inputs, 32 bytes each, in ABI order, as bb.js lays them out. */
export function publicInputBytes(claims: MembershipClaims, modulus: bigint): { fields: string[]; bytes: Uint8Array } {
  const fields = encodePublicInputs({
    modulus,
    iss: claims.iss,
    aud: claims.aud,
    domain: claims.domain,
    epk: hexToBytes(claims.epk),
    expiry: claims.expiry,
  }).map((f: string) => `0x${BigInt(f).toString(16).padStart(64, '0')}`);
  const bytes = new Uint8Array(fields.length * 32);
  fields.forEach((f, i) => bytes.set(hexToBytes(f.slice(2)), i * 32));
  return { fields, bytes };
}
