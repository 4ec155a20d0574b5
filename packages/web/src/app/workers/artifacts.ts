/**
 * Prover artifacts fetched from the server (`/api/config` → `artifacts`, e.g. `/artifacts`), laid
 * out as in the repository's `circuits/` directory plus the test-CRS cache directory:
 * - `{base}/target/{name}.json`             → the compiled Noir program (current circuits only)
 * - `{base}/keys/{name}.{crsId}.json`       → `{ circuit, crs, vk }` precomputed verification key (base64)
 * - `{base}/keys/{name}.{id}.{crsId}.json`  → the same for a retired circuit (`acceptedUntil`)
 * - `{base}/bn254_g1.dat`, `bn254_g2.dat`   → the INSECURE test CRS (development profile only)
 * The server is not trusted for what decides a verdict: the circuit ids, the retired circuits' dates
 * and the verification-key hashes are pinned in the built bundle (`PinnedArtifacts`, from
 * `circuits/` at build time; the server's `circuits.json` is not read). The prover checks each
 * program's sha256 against the pinned id; a key whose sha256 differs from its pin is refused
 * (ERR_VK_MISMATCH), and a key with no pin is not fetched at all — the engine computes a current
 * circuit's key from the (pinned) program instead. A retired circuit has no program (its sources
 * are gone): it verifies only with its pinned key, is listed only until its `acceptedUntil` by
 * this browser's clock (after that: ERR_CIRCUIT_UNKNOWN), and is never proved with.
 */
import { VeilError } from '@veil/crypto';
import { staticArtifacts, type ArtifactLoader, type CompiledProgram, type CrsBytes } from '@veil/prover';
import { keyFileName, pinKey, type PinnedArtifacts } from './artifact-pins.ts';

export type { PinnedArtifacts, PinnedCircuit } from './artifact-pins.ts';

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

/** Options of `fetchArtifacts`. */
export interface FetchArtifactsOptions {
  /** Clock for retired circuits' `acceptedUntil` (default: now). */
  now?: () => Date;
}

/**
 * The artifact loader over `base`, bound to `pinned`.
 * @example
 * import pinned from 'virtual:veil-pinned-artifacts';
 * const backend = await createBackend({ crs: 'test', artifacts: fetchArtifacts('/artifacts', pinned), testCrs: fetchTestCrs('/artifacts') });
 * @throws VeilError ERR_VK_MISMATCH (from `verificationKey`) when the server's key is not the pinned one.
 */
export function fetchArtifacts(base: string, pinned: PinnedArtifacts, options: FetchArtifactsOptions = {}): ArtifactLoader {
  const now = options.now ?? (() => new Date());
  const inner = staticArtifacts(pinned.circuits.map((c) => ({
    ...c,
    ...(c.acceptedUntil === undefined ? { program: async () => (await (await get(`${base}/target/${c.name}.json`)).json()) as CompiledProgram } : {}),
  })));
  return {
    ...inner,
    async circuits() {
      const t = now().getTime();
      return (await inner.circuits()).filter((c) => c.acceptedUntil === undefined || Date.parse(c.acceptedUntil) > t);
    },
    async verificationKey(circuit, crsId) {
      const mem = await inner.verificationKey(circuit, crsId);
      if (mem) return mem;
      const pin = pinned.verificationKeys[pinKey(circuit, crsId)];
      const known = pinned.circuits.find((c) => c.name === circuit.name && c.id === circuit.id);
      if (!pin || !known) return undefined;
      const res = await fetch(`${base}/keys/${keyFileName(known, crsId)}`);
      if (!res.ok) return undefined;
      let vk: Uint8Array<ArrayBuffer> | undefined;
      try {
        const file = (await res.json()) as { circuit?: { id?: string }; crs?: string; vk?: string };
        vk = file.circuit?.id === circuit.id && file.crs === crsId && typeof file.vk === 'string' ? fromBase64(file.vk) : undefined;
      } catch {
        // not JSON, or not base64: not the pinned key either
      }
      if (!vk || (await sha256Hex(vk)) !== pin) {
        throw new VeilError('ERR_VK_MISMATCH', `the server's verification key for ${circuit.name} ${circuit.id} (${crsId}) is not the one pinned in this app`);
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
