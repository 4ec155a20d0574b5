/**
 * Big integers as fixed-width limbs for Noir circuit inputs (`circuits/lib/rsa`: RSA-2048 as 18 limbs
 * of 120 bits). Limb order is little-endian (limb 0 least significant); each limb is a 0x-prefixed
 * hex string, a form noir_js accepts for `Field` inputs. Values must fit: no silent truncation.
 */

function aLimbShape(count: number, bits: number): void {
  if (!Number.isSafeInteger(count) || count < 1) throw new TypeError(`count must be a positive integer, got ${count}`);
  // 248 bits keeps every limb below the BN254 scalar field modulus (~2^253.6).
  if (!Number.isSafeInteger(bits) || bits < 1 || bits > 248) throw new TypeError(`bits must be an integer in 1..248, got ${bits}`);
}

/**
 * Splits a non-negative bigint into `count` limbs of `bits` bits, least significant first.
 *
 * @example
 * import { toLimbs } from '@veil/crypto';
 * toLimbs(modulus); // 18 hex strings of <= 120 bits each
 * @throws {TypeError} when `x` is not a bigint, is negative, or needs more than count * bits bits.
 */
export function toLimbs(x: bigint, count = 18, bits = 120): string[] {
  if (typeof x !== 'bigint') throw new TypeError('x must be a bigint');
  aLimbShape(count, bits);
  if (x < 0n) throw new TypeError('x must be non-negative');
  const width = BigInt(bits);
  if (x >> (width * BigInt(count)) !== 0n) throw new TypeError(`x does not fit in ${count} limbs of ${bits} bits`);
  const mask = (1n << width) - 1n;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push('0x' + ((x >> (width * BigInt(i))) & mask).toString(16));
  }
  return out;
}

/**
 * Joins limbs (least significant first) back into a bigint. Accepts bigints or decimal/0x-hex strings.
 *
 * @example
 * import { fromLimbs, toLimbs } from '@veil/crypto';
 * fromLimbs(toLimbs(n)) === n;
 * @throws {TypeError} when a limb is not a valid non-negative integer below 2^bits, or the array is empty.
 */
export function fromLimbs(limbs: readonly (string | bigint)[], bits = 120): bigint {
  if (!Array.isArray(limbs) || limbs.length === 0) throw new TypeError('limbs must be a non-empty array');
  aLimbShape(limbs.length, bits);
  const width = BigInt(bits);
  let x = 0n;
  for (let i = limbs.length - 1; i >= 0; i--) {
    const raw = limbs[i];
    let v: bigint;
    if (typeof raw === 'bigint') v = raw;
    else if (typeof raw === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(raw)) v = BigInt(raw);
    else throw new TypeError(`limb ${i} is not a decimal or 0x-hex integer`);
    if (v < 0n || v >> width !== 0n) throw new TypeError(`limb ${i} is out of range for ${bits} bits`);
    x = (x << width) | v;
  }
  return x;
}
