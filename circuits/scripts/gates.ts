/**
 * Prints the UltraHonk gate count of a Noir crate: `npx tsx circuits/scripts/gates.ts <crate-dir>`.
 * Compiles with noir_wasm (file-manager root = circuits/, so path dependencies under it resolve) and
 * asks bb.js for the circuit sizes (total gates and the dyadic size, a power of two, that proving uses).
 */
import { gunzipSync } from 'node:zlib';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile_program, createFileManager } from '@noir-lang/noir_wasm';
import { Barretenberg } from '@aztec/bb.js';

const CIRCUITS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Total and dyadic (power-of-two) UltraHonk circuit size of the compiled program's bytecode. */
export async function circuitSizes(bytecode: string): Promise<{ total: number; dyadic: number }> {
  const api = await Barretenberg.new({ threads: 1 });
  try {
    const acir = new Uint8Array(gunzipSync(Buffer.from(bytecode, 'base64')));
    const [total, dyadic] = await api.acirGetCircuitSizes(acir, false, true);
    return { total, dyadic };
  } finally {
    await api.destroy();
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx circuits/scripts/gates.ts <crate-dir>');
    process.exit(2);
  }
  const abs = resolve(process.cwd(), dir);
  const fm = createFileManager(abs.startsWith(CIRCUITS_DIR) ? CIRCUITS_DIR : dirname(abs));
  const { program } = await compile_program(fm, abs, () => {}, () => {});
  const { total, dyadic } = await circuitSizes(program.bytecode);
  console.log(JSON.stringify({ crate: dir, total, dyadic, log2: Math.log2(dyadic) }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
