/**
 * What the built app pins instead of trusting the server: the circuit ids of `circuits/circuits.json`
 * (with each membership circuit's variant, so the prover picks the circuit of the issuer's statement)
 * and the sha256 of every verification key in `circuits/keys/` (by `<name>.<crs id>`). The Vite
 * config serves it to the bundle as `virtual:veil-pinned-artifacts`; the artifact loader
 * (`app/workers/artifacts.ts`) then refuses a program whose id, or a key whose hash, differs.
 * Node-only (build time).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PinnedArtifacts } from './app/workers/artifacts.ts';

const CIRCUITS_DIR = fileURLToPath(new URL('../../../circuits', import.meta.url));
export const KEYS_DIR = join(CIRCUITS_DIR, 'keys');

/**
 * Reads the pins from the repository's `circuits/`.
 * @example
 * import { pinnedArtifacts } from '@veil/web/pinned-artifacts';
 * pinnedArtifacts().verificationKeys['membership.test-…']; // sha256 hex of the key bytes
 * @throws Error when the manifest or a key file is unreadable or malformed.
 */
export function pinnedArtifacts(keysDir = KEYS_DIR): PinnedArtifacts {
  const manifest = JSON.parse(readFileSync(join(CIRCUITS_DIR, 'circuits.json'), 'utf8')) as { circuits: Array<{ name: string; id?: unknown; variant?: string }> };
  const circuits = manifest.circuits
    .filter((c): c is { name: string; id: string; variant?: string } => typeof c.id === 'string' && /^[0-9a-f]{64}$/.test(c.id))
    .map(({ name, id, variant }) => ({ name, id, ...(typeof variant === 'string' ? { variant } : {}) }));
  const verificationKeys: Record<string, string> = {};
  for (const file of existsSync(keysDir) ? readdirSync(keysDir).sort() : []) {
    if (!file.endsWith('.json')) continue;
    const k = JSON.parse(readFileSync(join(keysDir, file), 'utf8')) as { circuit?: { name?: string; id?: string }; crs?: string; vk?: string };
    if (typeof k.circuit?.name !== 'string' || typeof k.crs !== 'string' || typeof k.vk !== 'string') throw new Error(`${file}: not a verification key file`);
    if (!circuits.some((c) => c.name === k.circuit!.name && c.id === k.circuit!.id)) continue; // a key of an old circuit
    verificationKeys[`${k.circuit.name}.${k.crs}`] = createHash('sha256').update(Buffer.from(k.vk, 'base64')).digest('hex');
  }
  return { circuits, verificationKeys };
}
