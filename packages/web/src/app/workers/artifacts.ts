/**
 * Prover artifacts fetched from the server (`/api/config` → `artifacts`, e.g. `/artifacts`), laid
 * out as in the repository's `circuits/` directory plus the test-CRS cache directory:
 * - `{base}/target/{name}.json`           → the compiled Noir program
 * - `{base}/keys/{name}.{crsId}.json`     → `{ circuit, crs, vk }` precomputed verification key (base64)
 * - `{base}/bn254_g1.dat`, `bn254_g2.dat` → the INSECURE test CRS (development profile only)
 * The server is not trusted for what decides a verdict: the circuit ids and the verification-key
 * hashes are pinned in the built bundle (`PinnedArtifacts`, from `circuits/` at build time; the
 * server's `circuits.json` is not read). The prover checks each program's sha256 against the pinned
 * id; a key whose sha256 differs from its pin is refused (ERR_VK_MISMATCH), and a key with no pin
 * is not fetched at all — the engine computes it from the (pinned) program instead.
 */
import { VeilError } from '@veil/crypto';
import { staticArtifacts, type ArtifactLoader, type CompiledProgram, type CrsBytes } from '@veil/prover';

/** Pins compiled into the bundle: circuit ids, and verification-key sha256 by `<name>.<crs id>`. */
export interface PinnedArtifacts {
  /** `variant`: membership circuits, the statement they prove (`oidc`, `google`, `entra`). */
  circuits: Array<{ name: string; id: string; variant?: string }>;
  verificationKeys: Record<string, string>;
}

async function get(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res;
}

function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The artifact loader over `base`, bound to `pinned`.
 * @throws VeilError ERR_VK_MISMATCH (from `verificationKey`) when the server's key is not the pinned one.
 */
export function fetchArtifacts(base: string, pinned: PinnedArtifacts): ArtifactLoader {
  const inner = staticArtifacts(pinned.circuits.map(({ name, id, variant }) => ({
    name,
    id,
    ...(variant !== undefined ? { variant } : {}),
    program: async () => (await (await get(`${base}/target/${name}.json`)).json()) as CompiledProgram,
  })));
  return {
    ...inner,
    async verificationKey(circuit, crsId) {
      const mem = await inner.verificationKey(circuit, crsId);
      if (mem) return mem;
      const pin = pinned.verificationKeys[`${circuit.name}.${crsId}`];
      if (!pin || !pinned.circuits.some((c) => c.name === circuit.name && c.id === circuit.id)) return undefined;
      const res = await fetch(`${base}/keys/${circuit.name}.${crsId}.json`);
      if (!res.ok) return undefined;
      const file = (await res.json()) as { circuit?: { id?: string }; crs?: string; vk?: string };
      const vk = file.circuit?.id === circuit.id && file.crs === crsId && typeof file.vk === 'string' ? fromBase64(file.vk) : undefined;
      if (!vk || (await sha256Hex(vk)) !== pin) {
        throw new VeilError('ERR_VK_MISMATCH', `the server's verification key for ${circuit.name} (${crsId}) is not the one pinned in this app`);
      }
      return vk;
    },
  };
}

/** The test CRS with at least `points` G1 points (fetches only the bytes needed). */
export function fetchTestCrs(base: string): (points: number) => Promise<CrsBytes> {
  return async (points) => {
    const [g1, g2] = await Promise.all([
      fetch(`${base}/bn254_g1.dat`, { headers: { range: `bytes=0-${points * 64 - 1}` } }).then(async (r) => {
        if (!r.ok) throw new Error(`GET ${base}/bn254_g1.dat: HTTP ${r.status}`);
        return new Uint8Array(await r.arrayBuffer());
      }),
      get(`${base}/bn254_g2.dat`).then(async (r) => new Uint8Array(await r.arrayBuffer())),
    ]);
    return { g1, g2 };
  };
}
