/**
 * Test harness for Noir library crates: compiles a crate with noir_wasm (there is no nargo here) and
 * executes it with noir_js. Execution only — no proving — so constraint failures surface as thrown
 * errors within seconds. Compiled programs are cached per process (i.e. per test file).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile_program, createFileManager } from '@noir-lang/noir_wasm';
import assert from 'node:assert/strict';
import { Noir, type InputMap } from '@noir-lang/noir_js';

/** `circuits/`: the file-manager root, so test crates can depend on `../../../lib/*` by path. */
export const CIRCUITS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type Program = Awaited<ReturnType<typeof compile_program>>['program'];
const cache = new Map<string, Promise<Program>>();

/** Compiles the crate at `dir` (absolute, or relative to `circuits/`) once and caches the program. */
export function compileCrate(dir: string): Promise<Program> {
  const abs = resolve(CIRCUITS_DIR, dir);
  let p = cache.get(abs);
  if (!p) {
    p = (async () => {
      const fm = createFileManager(CIRCUITS_DIR);
      const { program } = await compile_program(fm, abs, () => {}, () => {});
      return program;
    })();
    cache.set(abs, p);
  }
  return p;
}

/** Compiles (cached) the test crate `circuits/test/crates/<name>` and executes it on `inputs`. */
export async function execute(name: string, inputs: InputMap): Promise<unknown> {
  const program = await compileCrate(join(CIRCUITS_DIR, 'test', 'crates', name));
  const { returnValue } = await new Noir(program).execute(inputs);
  return returnValue;
}

/**
 * Asserts that executing `name` on `inputs` fails inside the circuit (an unsatisfied constraint or a
 * failed hint), not earlier while encoding inputs: noir_js reports those as "Circuit execution failed".
 */
export async function assertUnsatisfiable(name: string, inputs: InputMap, label?: string): Promise<void> {
  await assert.rejects(execute(name, inputs), (e: unknown) => {
    assert.ok(e instanceof Error && /^Circuit execution failed/.test(e.message), `${label ?? name}: unexpected error ${String(e)}`);
    return true;
  }, label);
}
