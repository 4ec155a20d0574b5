// The prover's own small test circuit (test/crates/square): compiled with the same noir_wasm
// path as the production circuits, used to exercise the backend quickly.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BarretenbergSync, Fr } from '@aztec/bb.js';
import { circuitId, compileCrate } from '@veil/circuits/build';
import type { CompiledProgram } from '../../src/artifacts.ts';

const CRATES = join(dirname(fileURLToPath(import.meta.url)), '..', 'crates');

export async function compileSquare(): Promise<{ program: CompiledProgram; id: string }> {
  const program = (await compileCrate(CRATES, 'square')) as unknown as CompiledProgram;
  return { program, id: circuitId(program) };
}

/** Inputs for the square circuit with secret x (public: x², Poseidon2 permutation of [x,0,0,0]). */
export async function squareInputs(x: bigint): Promise<{ x: string; square: string; digest: string }> {
  const bb = await BarretenbergSync.initSingleton();
  const digest = bb.poseidon2Permutation([new Fr(x), new Fr(0n), new Fr(0n), new Fr(0n)])[0]!.toString();
  return { x: x.toString(), square: ((x * x) % Fr.MODULUS).toString(), digest };
}
