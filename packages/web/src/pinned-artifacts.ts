/**
 * What the built app pins instead of trusting the server: the circuits of `circuits/circuits.json`
 * (with each membership circuit's variant, so the prover picks the circuit of the issuer's statement;
 * retired ones, `status: "accepted-until"`, with their `acceptedUntil`, verified and never proved)
 * and the sha256 of every verification key in `circuits/keys/` that belongs to one of them, by
 * `<name>.<circuit id>.<crs id>` (`pinKey`: a current and a retired key of one name never collide).
 * A key is pinned only when its file sits where the browser fetches it: `keys/<name>.<crs id>.json`
 * for the current circuit, `keys/<name>.<circuit id>.<crs id>.json` for a retired one (the layout
 * `npm run build:circuits -- --retire-until` writes); keys of circuits no longer in the manifest
 * are skipped. The Vite config serves the pins to the bundle as `virtual:veil-pinned-artifacts`;
 * the artifact loader (`app/workers/artifacts.ts`) then refuses a program whose id, or a key whose
 * hash, differs. Node-only (build time).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIRCUITS_DIR, MANIFEST_PATH, readManifest } from '@veil/circuits/build';
import { keyFileName, pinKey, type PinnedArtifacts, type PinnedCircuit } from './app/workers/artifact-pins.ts';

export const KEYS_DIR = join(CIRCUITS_DIR, 'keys');

/** Where the pins are read from (tests: a temporary copy of `circuits/`). */
export interface PinnedArtifactsOptions {
  /** The manifest (default circuits/circuits.json). */
  manifestPath?: string;
  /** The verification keys (default circuits/keys). */
  keysDir?: string;
}

/**
 * Reads the pins from the repository's `circuits/`.
 * @example
 * import { pinnedArtifacts, pinKey } from '@veil/web/pinned-artifacts';
 * const pins = pinnedArtifacts();
 * pins.verificationKeys[pinKey(pins.circuits[0], 'test-…')]; // sha256 hex of the key bytes
 * @throws Error when the manifest or a key file is unreadable or malformed.
 */
export function pinnedArtifacts(options: PinnedArtifactsOptions = {}): PinnedArtifacts {
  const keysDir = options.keysDir ?? KEYS_DIR;
  const manifest = readManifest(options.manifestPath ?? MANIFEST_PATH);
  const circuits: PinnedCircuit[] = manifest.circuits
    .filter((c): c is typeof c & { id: string } => typeof c.id === 'string' && /^[0-9a-f]{64}$/.test(c.id))
    .map(({ name, id, variant, status, acceptedUntil, publicHeader }) => ({
      name, id, ...(typeof variant === 'string' ? { variant, publicHeader: publicHeader === true } : {}),
      ...(status === 'accepted-until' ? { acceptedUntil: new Date(acceptedUntil!).toISOString() } : {}),
    }))
    // current first, as the server's loader lists them
    .sort((a, b) => Number(a.acceptedUntil !== undefined) - Number(b.acceptedUntil !== undefined));
  const verificationKeys: Record<string, string> = {};
  for (const file of existsSync(keysDir) ? readdirSync(keysDir).sort() : []) {
    if (!file.endsWith('.json')) continue;
    const k = JSON.parse(readFileSync(join(keysDir, file), 'utf8')) as { circuit?: { name?: string; id?: string }; crs?: string; vk?: string };
    if (typeof k.circuit?.name !== 'string' || typeof k.crs !== 'string' || typeof k.vk !== 'string') throw new Error(`${file}: not a verification key file`);
    const circuit = circuits.find((c) => c.name === k.circuit!.name && c.id === k.circuit!.id);
    // A key of an old circuit, or one not at the place the browser fetches it from.
    if (!circuit || file !== keyFileName(circuit, k.crs)) continue;
    verificationKeys[pinKey(circuit, k.crs)] = createHash('sha256').update(Buffer.from(k.vk, 'base64')).digest('hex');
  }
  return { circuits, verificationKeys };
}

export { pinKey };
