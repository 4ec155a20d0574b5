// Node-only artifact loader over the repository's `circuits/`: expected ids from the committed
// manifest `circuits/circuits.json` (the accepted set: current circuits, and released ones until
// their `acceptedUntil`), programs compiled lazily (cached in circuits/target/ by source hash, see
// circuits/scripts/build.ts; only current circuits have one), verification keys under circuits/keys/
// or where the manifest's `keys` says (the test-CRS ones are committed, so verifying works offline
// and a retired circuit, whose sources are gone, stays verifiable).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { acceptedCircuits, CIRCUITS_DIR, ensureCompiled, MANIFEST_PATH, readManifest, retiredKeyFile } from '@veil/circuits/build';
import { circuitInfo, type ArtifactLoader, type CircuitInfo, type CompiledProgram } from './artifacts.ts';
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

/** Options of nodeArtifacts. */
export interface NodeArtifactsOptions {
  /** Directory of current circuits' keys, `<name>.<crs id>.json` (default circuits/keys). */
  keysDir?: string;
  /** The manifest (default circuits/circuits.json); `keys` paths are relative to its directory. */
  manifestPath?: string;
  /** Only these circuit ids, of the manifest's accepted ones (a server's configured set). */
  accept?: string[];
  /** Clock for `acceptedUntil` (default: now). */
  now?: () => Date;
}

/**
 * The loader for this repository's circuits.
 * @example
 * import { nodeArtifacts } from '@veil/prover/artifacts-node';
 * const backend = await createBackend({ artifacts: nodeArtifacts() });
 */
export function nodeArtifacts(options: NodeArtifactsOptions = {}): ArtifactLoader {
  const keysDir = options.keysDir ?? KEYS_DIR;
  const manifestPath = options.manifestPath ?? MANIFEST_PATH;
  const now = options.now ?? (() => new Date());
  if (options.accept !== undefined && !(Array.isArray(options.accept) && options.accept.every((a) => typeof a === 'string'))) {
    throw new TypeError('options.accept must be an array of circuit ids');
  }
  /** Where the key of (circuit, crs) lives: `keysDir` for current circuits, the manifest's `keys` for retired ones. */
  const keyFile = (circuit: CircuitInfo, crsId: string): string => {
    const entry = readManifest(manifestPath).circuits.find((c) => c.name === circuit.name && c.id === circuit.id);
    if (entry?.status !== 'accepted-until') return keyPath(keysDir, circuit.name, crsId);
    return join(dirname(manifestPath), entry.keys?.[crsId] ?? retiredKeyFile(circuit.name, circuit.id, crsId));
  };
  return {
    async circuits() {
      return acceptedCircuits(readManifest(manifestPath), now())
        .filter((c) => options.accept === undefined || options.accept.includes(c.id))
        .map(circuitInfo);
    },
    async program(name): Promise<CompiledProgram> {
      return (await ensureCompiled(name)).program;
    },
    async verificationKey(circuit, crsId) {
      let file: KeyFile;
      try {
        file = JSON.parse(readFileSync(keyFile(circuit, crsId), 'utf8')) as KeyFile;
      } catch {
        return undefined;
      }
      // A key for another build of the circuit is stale: the caller recomputes and replaces it.
      if (file.circuit?.id !== circuit.id || file.crs !== crsId) return undefined;
      return fromBase64(file.vk);
    },
    async saveVerificationKey(circuit, crsId, vk) {
      const path = keyFile(circuit, crsId);
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      const file: KeyFile = { circuit: { name: circuit.name, id: circuit.id }, crs: crsId, vk: toBase64(vk) };
      writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
      renameSync(tmp, path);
    },
  };
}
