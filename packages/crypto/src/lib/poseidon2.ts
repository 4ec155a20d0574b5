/**
 * Poseidon2 over BN254 as Barretenberg's sponge (bb.js 0.86.0 `BarretenbergSync.poseidon2Hash`,
 * the construction `circuits/lib/jwt/src/poseidon2.nr` implements): width 4, rate 3, initial
 * capacity n·2^64 for n inputs. Loaded once per process (WASM, no threads); after `poseidon2()`
 * resolved, hashing is synchronous (LeanIMT needs a synchronous hasher).
 */
import { BarretenbergSync, Fr } from '@aztec/bb.js';
import { BN254_R } from './pack.ts';

export type Poseidon2 = (inputs: readonly bigint[]) => bigint;

let ready: Promise<Poseidon2> | undefined;

/** The synchronous Poseidon2 hash, once bb.js is loaded. Inputs must be field elements. */
export function poseidon2(): Promise<Poseidon2> {
  ready ??= BarretenbergSync.initSingleton().then((api) => (inputs: readonly bigint[]) => {
    for (const x of inputs) if (typeof x !== 'bigint' || x < 0n || x >= BN254_R) throw new TypeError('poseidon2: inputs must be field elements');
    return BigInt(api.poseidon2Hash(inputs.map((x) => new Fr(x))).toString());
  });
  ready.catch(() => (ready = undefined));
  return ready;
}
