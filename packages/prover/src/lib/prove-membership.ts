import { Noir } from '@noir-lang/noir_js';
import { aVariant, buildInputs, variantForToken, VeilError, type EntraPublicClaims, type PublicClaims, type Variant } from '@veil/crypto';
import type { MembershipBundle } from '../bundle.ts';
import type { CrsKind } from '../crs.ts';
import { hexToBytes, toBase64 } from './bytes.ts';
import type { Engine } from './engine.ts';
import { rsaIssuerKey } from './jwks.ts';
import { publicInputBytes } from './statement.ts';

/** What `prove` needs. */
export interface ProveInput {
  /** The compact RS256 ID token. */
  token: string;
  /** The issuer's public JWK that signed it. */
  jwk: JsonWebKey & { kid?: string };
  /** Ed25519 ephemeral public key (32 bytes, or 64 hex characters). */
  epk: Uint8Array | string;
  /** The nonce salt (as `nonce()` takes it; a string is hex). */
  salt: Uint8Array | bigint | string;
  /** Unix seconds: how long the ephemeral key is backed by the proof. */
  expiry: number;
  /**
   * The statement, which picks the circuit (the manifest's current circuit of that variant):
   * `oidc` (email domain), `google` (Workspace `hd`), `entra` (tenant). Default: from the token's
   * `iss` (`variantForToken`: Google → google, Microsoft → entra, else oidc).
   */
  variant?: Variant;
  /** The group to prove (default: the token's own — oidc the email's domain, google `hd`, entra `tid`). */
  domain?: string;
  /** entra: also bind the email's domain (needs xms_edov true or "1"); default: not bound. */
  emailDomain?: string;
  /** Skip the TypeScript pre-checks so that the circuit alone decides (soundness testing). */
  unchecked?: boolean;
  /** CRS to prove with (must match the backend's). */
  crs?: CrsKind;
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 300);
}

function bytesArg(v: Uint8Array | string, name: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(v)) throw new TypeError(`${name} must be bytes or hex`);
  return hexToBytes(v.toLowerCase());
}

/** entra's email domain, when bound. */
function boundEmailDomain(c: PublicClaims | EntraPublicClaims): { emailDomain?: string } {
  return 'emailDomain' in c && c.emailDomain !== '' ? { emailDomain: c.emailDomain } : {};
}

export async function proveMembership(engine: Engine, kind: CrsKind, input: ProveInput): Promise<MembershipBundle> {
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object');
  const epk = bytesArg(input.epk, 'epk');
  const salt = typeof input.salt === 'bigint' ? input.salt : bytesArg(input.salt, 'salt');
  let variant: Variant;
  try {
    variant = input.variant === undefined ? variantForToken(input.token) : aVariant(input.variant);
  } catch (e) {
    if (input.variant !== undefined) throw new TypeError(`variant: ${(e as Error).message}`);
    throw e;
  }
  // Which circuit: fails before any work when this deployment cannot prove the variant.
  const info = await engine.membershipCircuitInfo(variant);
  // The pre-checks (token, key size, signature, claims) speak first with their specific codes.
  const { inputs, publicClaims } = await buildInputs(input.token, input.jwk, epk, salt, input.expiry, {
    variant,
    ...(input.domain !== undefined ? { domain: input.domain } : {}),
    ...(input.emailDomain !== undefined ? { emailDomain: input.emailDomain } : {}),
    ...(input.unchecked ? { unchecked: true } : {}),
  });
  // Unchecked mode hands the circuit whatever key it is given; checked mode also refuses a JWK
  // restricted to another algorithm or use (the verifier would refuse it).
  if (!input.unchecked) rsaIssuerKey(input.jwk);
  const kid = publicClaims.kid ?? input.jwk.kid;
  if (typeof kid !== 'string' || kid === '') {
    throw new VeilError('ERR_KEY_UNKNOWN', 'neither the token header nor the JWK names a kid: a verifier could not find the key');
  }
  const claims = {
    iss: publicClaims.iss,
    aud: publicClaims.aud,
    domain: publicClaims.domain,
    epk: publicClaims.epk,
    expiry: publicClaims.expiry,
    kid,
    header: publicClaims.header,
    ...boundEmailDomain(publicClaims),
  };
  const circuit = await engine.circuit(info.name);
  await engine.noirReady();
  let witness: Uint8Array;
  try {
    ({ witness } = await new Noir(circuit.program as never).execute(inputs as never));
  } catch (e) {
    throw new VeilError('ERR_STATEMENT_UNSATISFIED', `the token does not satisfy the statement: ${firstLine(e)}`, { cause: e });
  }
  const out = await engine.prove(circuit, kind, witness);
  // What a verifier will encode (also its header checks; the pre-checks ran them already).
  const pi = publicInputBytes(claims, input.jwk, { variant, publicHeader: info.publicHeader === true });
  // The circuit and the TypeScript encoding must agree, or no verifier could rebuild the inputs.
  if (out.length <= pi.bytes.length || out.subarray(0, pi.bytes.length).some((b, i) => b !== pi.bytes[i])) {
    throw new Error('the circuit\'s public inputs differ from the encoding of the claims: prover and verifier disagree');
  }
  if (!(await engine.verify(circuit, kind, out))) throw new Error('bb.js produced a proof that does not verify');
  return {
    v: 1,
    circuit: { name: circuit.name, id: circuit.id },
    variant,
    crs: { id: engine.crsId(kind), kind },
    claims,
    proof: toBase64(out.subarray(pi.bytes.length)),
  };
}
