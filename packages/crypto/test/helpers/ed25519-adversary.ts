// Adversarial Ed25519 inputs shared by the crypto, server, CLI and web tests: the 8 small-order
// points, derived here from an order-8 point (not copied from a list), every non-canonical encoding
// of them that fits in 32 bytes (y + p where y + p < 2^255, and the sign-bit variant of the two
// x = 0 points), and signature forgeries that OpenSSL's rule (S < L + cofactorless equation) accepts.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';

const { Point } = ed25519;
const P = 2n ** 255n - 19n;
const L = Point.Fn.ORDER;

const le = (b: Uint8Array): bigint => BigInt(`0x${bytesToHex(Uint8Array.from(b).reverse()) || '0'}`);
const toLE = (n: bigint): Uint8Array => hexToBytes(n.toString(16).padStart(64, '0')).reverse();

/** An order-8 point: the torsion subgroup is its 8 multiples. */
const T8 = Point.fromAffine({
  x: 14399317868200118260347934320527232580618823971194345261214217575416788799818n,
  y: 2707385501144840649318225287225658788936804267575313519463743609750303402022n,
});

export interface BadPoint { hex: string; label: string; canonical: boolean; order: number }

function orderOf(p: typeof Point.BASE): number {
  for (let n = 1; n <= 8; n++) if (p.multiplyUnsafe(BigInt(n)).is0()) return n;
  throw new Error('not a small-order point');
}

/** The 8 small-order points (canonical) followed by their 6 non-canonical encodings. */
export const BAD_POINTS: readonly BadPoint[] = (() => {
  const out: BadPoint[] = [];
  const extra: BadPoint[] = [];
  for (let i = 0n; i < 8n; i++) {
    const pt = i === 0n ? Point.ZERO : T8.multiplyUnsafe(i);
    const enc = pt.toBytes();
    const order = orderOf(pt);
    const { x, y } = pt.toAffine();
    out.push({ hex: bytesToHex(enc), label: `order ${order} (${i}·T8)`, canonical: true, order });
    const sign = enc[31]! & 0x80;
    if (y + P < 2n ** 255n) {
      const e = toLE(y + P);
      e[31]! |= sign;
      extra.push({ hex: bytesToHex(e), label: `order ${order}, y + p`, canonical: false, order });
      if (x === 0n) {
        e[31]! |= 0x80;
        extra.push({ hex: bytesToHex(e), label: `order ${order}, y + p and the sign bit`, canonical: false, order });
      }
    }
    if (x === 0n) {
      const e = Uint8Array.from(enc);
      e[31]! |= 0x80;
      extra.push({ hex: bytesToHex(e), label: `order ${order}, x = 0 with the sign bit`, canonical: false, order });
    }
  }
  return Object.freeze([...out, ...extra]);
})();

export const IDENTITY = '01' + '00'.repeat(31);

/** k = SHA-512(R ‖ A ‖ M) mod L over the exact bytes. */
export function challenge(r: Uint8Array, a: Uint8Array, msg: Uint8Array): bigint {
  return le(sha512(concatBytes(r, a, msg))) % L;
}

/**
 * The R = identity, S = 0 forgery for a small-order key `pkHex` (any encoding): finds the first
 * attempt i for which OpenSSL's equation holds ([k]A = identity) and returns it with the signature.
 */
export function forgeForSmallOrderKey(pkHex: string, payloadFor: (attempt: number) => Uint8Array): { attempt: number; signature: string } {
  const a = hexToBytes(pkHex);
  const A = Point.fromBytes(a, true);
  const r = hexToBytes(IDENTITY);
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (A.multiplyUnsafe(challenge(r, a, payloadFor(attempt))).is0()) return { attempt, signature: IDENTITY + '00'.repeat(32) };
  }
  throw new Error('no forgeable message found');
}

/**
 * What the key's owner can sign with a chosen R: S = k·a mod L, which makes [S]B − [k]A the
 * identity — a valid signature under the bare cofactorless equation exactly when R is the identity.
 */
export function signWithR(secretKeyHex: string, rHex: string, payload: Uint8Array): string {
  const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(hexToBytes(secretKeyHex));
  const r = hexToBytes(rHex);
  const s = (challenge(r, pointBytes, payload) * scalar) % L;
  return rHex + bytesToHex(toLE(s));
}

/**
 * A mixed-order R (honest nonce point + an order-8 point) with S = r + k·a: a cofactored verifier
 * accepts it, the cofactorless one (OpenSSL, libsodium, Veil) does not.
 */
export function signMixedOrderR(secretKeyHex: string, payload: Uint8Array): string {
  const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(hexToBytes(secretKeyHex));
  const nonce = 123456789n;
  const r = Point.BASE.multiply(nonce).add(T8).toBytes();
  const s = (nonce + challenge(r, pointBytes, payload) * scalar) % L;
  return bytesToHex(r) + bytesToHex(toLE(s));
}
