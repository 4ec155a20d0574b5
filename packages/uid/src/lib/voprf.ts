/**
 * RFC 9497 VOPRF (mode 0x01) with the ristretto255-SHA512 suite, contextString
 * "OPRFV1-\x01-ristretto255-SHA512", on the libsodium group of group.ts:
 *   HashToGroup  = from_hash(expand_message_xmd(x, "HashToGroup-" ‖ ctx, 64))   (RFC 9380 §5.3.1, RFC 9496 §4.3.4)
 *   HashToScalar = expand_message_xmd(x, DST or "HashToScalar-" ‖ ctx, 64) mod ℓ, little-endian
 *   Blind (§3.3.2), BlindEvaluate with GenerateProof/ComputeCompositesFast (§2.2.1),
 *   VerifyProof/ComputeComposites (§2.2.2), Finalize (§3.3.2).
 * Proofs are c ‖ s (64 bytes), outputs SHA-512 (64 bytes). Checked against every RFC 9497 A.1.2
 * vector (batch sizes 1 and 2, proofs included) and against @noble/curves' implementation on
 * random inputs (test/rfc9497-voprf.test.ts).
 *
 * Not checked here: that wire elements are canonical and not the identity — callers decode them
 * with decodeElement first (evaluate.ts, verify-partial.ts); proof scalars are checked here.
 */
import { IDENTITY, MAX_INPUT_BYTES, add, fromUniform, isCanonicalScalar, isIdentity, mul, mulBase, randomScalar, reduceWide, scalarInvert, scalarMul, scalarSub, sha512, type RNG } from './group.ts';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { equalBytes } from '@veil/crypto/bytes';

const enc = new TextEncoder();
const CONTEXT = enc.encode('OPRFV1-\x01-ristretto255-SHA512');
const DST_GROUP = concat(enc.encode('HashToGroup-'), CONTEXT);
const DST_SCALAR = concat(enc.encode('HashToScalar-'), CONTEXT);
const SEED_DST = concat(enc.encode('Seed-'), CONTEXT);
const COMPOSITE = enc.encode('Composite');
const CHALLENGE = enc.encode('Challenge');
const FINALIZE = enc.encode('Finalize');

function i2osp2(n: number): Uint8Array {
  return Uint8Array.of(n >>> 8, n & 0xff);
}

/** I2OSP(len(x), 2) ‖ x */
function lp(x: Uint8Array): Uint8Array {
  return concat(i2osp2(x.length), x);
}

/** expand_message_xmd with SHA-512 for len_in_bytes = 64 (so ell = 1: b_1 is the output). */
export function expandMessageXmd64(msg: Uint8Array, dst: Uint8Array): Uint8Array {
  if (dst.length > 255) throw new TypeError('DST longer than 255 bytes');
  const dstPrime = concat(dst, Uint8Array.of(dst.length));
  const b0 = sha512(concat(new Uint8Array(128), msg, i2osp2(64), Uint8Array.of(0), dstPrime));
  return sha512(concat(b0, Uint8Array.of(1), dstPrime));
}

export function hashToGroup(input: Uint8Array): Uint8Array {
  return fromUniform(expandMessageXmd64(input, DST_GROUP));
}

export function hashToScalar(msg: Uint8Array, dst: Uint8Array = DST_SCALAR): Uint8Array {
  return reduceWide(expandMessageXmd64(msg, dst));
}

/** RFC 9497 §3.3.2 Blind: r random, B = r · HashToGroup(input). */
export function blind(input: Uint8Array, rng?: RNG): { blind: Uint8Array; blinded: Uint8Array } {
  if (!(input instanceof Uint8Array) || input.length > MAX_INPUT_BYTES) throw new TypeError(`input must be a Uint8Array of at most ${MAX_INPUT_BYTES} bytes`);
  const r = randomScalar(rng);
  const p = hashToGroup(input);
  if (isIdentity(p)) throw new TypeError('input hashes to the identity element'); // InvalidInputError; probability 2^-252
  return { blind: r, blinded: mul(r, p) };
}

/** §2.2.1 ComputeComposites (and the Fast variant with k): M = Σ d_i C_i, Z = Σ d_i D_i or k · M. */
function composites(pk: Uint8Array, c: readonly Uint8Array[], d: readonly Uint8Array[], k?: Uint8Array): { m: Uint8Array; z: Uint8Array } {
  const seed = sha512(concat(lp(pk), lp(SEED_DST)));
  let m = IDENTITY;
  let z = IDENTITY;
  for (let i = 0; i < c.length; i++) {
    const di = hashToScalar(concat(lp(seed), i2osp2(i), lp(c[i]!), lp(d[i]!), COMPOSITE));
    m = add(mul(di, c[i]!), m);
    if (!k) z = add(mul(di, d[i]!), z);
  }
  return { m, z: k ? mul(k, m) : z };
}

function challenge(pk: Uint8Array, m: Uint8Array, z: Uint8Array, t2: Uint8Array, t3: Uint8Array): Uint8Array {
  return hashToScalar(concat(lp(pk), lp(m), lp(z), lp(t2), lp(t3), CHALLENGE));
}

/**
 * §3.3.2 BlindEvaluateBatch: Z_j = k · B_j and one GenerateProof(k, G, K, B, Z) over the batch
 * (A = G, B = K = k · G in the RFC's names). The proof nonce r comes from `rng`.
 */
export function blindEvaluateBatch(sk: Uint8Array, pk: Uint8Array, blinded: readonly Uint8Array[], rng?: RNG): { evaluated: Uint8Array[]; proof: Uint8Array } {
  const evaluated = blinded.map((b) => mul(sk, b));
  const { m, z } = composites(pk, blinded, evaluated, sk);
  const r = randomScalar(rng);
  const c = challenge(pk, m, z, mulBase(r), mul(r, m));
  const s = scalarSub(r, scalarMul(c, sk));
  return { evaluated, proof: concat(c, s) };
}

/** §2.2.2 VerifyProof(G, K, C, D, proof). False for a proof that does not verify or is malformed. */
export function verifyProof(pk: Uint8Array, blinded: readonly Uint8Array[], evaluated: readonly Uint8Array[], proof: Uint8Array): boolean {
  if (!(proof instanceof Uint8Array) || proof.length !== 64 || blinded.length !== evaluated.length || blinded.length === 0) return false;
  const c = proof.subarray(0, 32);
  const s = proof.subarray(32, 64);
  if (!isCanonicalScalar(c) || !isCanonicalScalar(s)) return false; // DeserializeScalar
  const { m, z } = composites(pk, blinded, evaluated);
  const t2 = add(mulBase(s), mul(c, pk));
  const t3 = add(mul(s, m), mul(c, z));
  return equalBytes(challenge(pk, m, z, t2, t3), c);
}

/** §3.3.2 Finalize without the proof check: SHA-512(lp(input) ‖ lp(r⁻¹ · Z) ‖ "Finalize"). */
export function finalize(input: Uint8Array, r: Uint8Array, evaluated: Uint8Array): Uint8Array {
  return sha512(concat(lp(input), lp(mul(scalarInvert(r), evaluated)), FINALIZE));
}
