// Node-only artifact loader over the repository's `circuits/`: expected ids from the committed
// manifest `circuits/circuits.json`, programs compiled lazily (cached in circuits/target/ by source
// hash, see circuits/scripts/build.ts), verification keys under circuits/keys/ (the test-CRS ones
// are committed, so verifying works offline without recomputing them).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIRCUITS_DIR, ensureCompiled, readManifest } from '@veil/circuits/build';
import type { ArtifactLoader, CircuitInfo, CompiledProgram } from './artifacts.ts';
import { fromBase64, toBase64 } from './lib/bytes.ts';

/** Where verification keys live: `circuits/keys/<name>.<crs id>.json`. */
export const KEYS_DIR = join(CIRCUITS_DIR, 'keys');

interface KeyFile {
  circuit: CircuitInfo;
  crs: string;
  vk: string;
}

function keyPath(dir: string, name: string, crsId: string): string {
  return join(dir, `${name}.${crsId}.json`);
}

/**
 * The loader for this repository's circuits.
 * @example
 * import { nodeArtifacts } from '@veil/prover/artifacts-node';
 * const backend = await createBackend({ artifacts: nodeArtifacts() });
 */
export function nodeArtifacts(options: { keysDir?: string } = {}): ArtifactLoader {
  const keysDir = options.keysDir ?? KEYS_DIR;
  return {
    async circuits() {
      return readManifest()
        .circuits.filter((c): c is typeof c & { id: string } => typeof c.id === 'string')
        .map(({ name, id }) => ({ name, id }));
    },
    async program(name): Promise<CompiledProgram> {
      return (await ensureCompiled(name)).program;
    },
    async verificationKey(circuit, crsId) {
      let file: KeyFile;
      try {
        file = JSON.parse(readFileSync(keyPath(keysDir, circuit.name, crsId), 'utf8')) as KeyFile;
      } catch {
        return undefined;
      }
      // A key for another build of the circuit is stale: the caller recomputes and replaces it.
      if (file.circuit?.id !== circuit.id || file.crs !== crsId) return undefined;
      return fromBase64(file.vk);
    },
    async saveVerificationKey(circuit, crsId, vk) {
      mkdirSync(keysDir, { recursive: true });
      const path = keyPath(keysDir, circuit.name, crsId);
      const tmp = `${path}.${process.pid}.tmp`;
      const file: KeyFile = { circuit: { name: circuit.name, id: circuit.id }, crs: crsId, vk: toBase64(vk) };
      writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
      renameSync(tmp, path);
    },
  };
}
