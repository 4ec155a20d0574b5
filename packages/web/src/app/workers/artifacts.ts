/**
 * Prover artifacts fetched from the server (`/api/config` → `artifacts`, e.g. `/artifacts`), laid
 * out as in the repository's `circuits/` directory plus the test-CRS cache directory:
 * - `{base}/circuits.json`                → the manifest `{ circuits: [{ name, id }] }`
 * - `{base}/target/{name}.json`           → the compiled Noir program
 * - `{base}/keys/{name}.{crsId}.json`     → `{ circuit, crs, vk }` precomputed verification key (base64)
 * - `{base}/bn254_g1.dat`, `bn254_g2.dat` → the INSECURE test CRS (development profile only)
 * The prover checks each program's sha256 against the circuit id before use, so a tampered
 * artifact fails instead of proving or verifying something else.
 */
import { staticArtifacts, type ArtifactLoader, type CompiledProgram, type CrsBytes } from '@veil/prover';

async function get(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res;
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function fetchArtifacts(base: string): Promise<ArtifactLoader> {
  const manifest = (await (await get(`${base}/circuits.json`)).json()) as { circuits: Array<{ name: string; id?: string }> };
  const circuits = manifest.circuits.filter((c): c is { name: string; id: string } => typeof c.id === 'string');
  const inner = staticArtifacts(circuits.map(({ name, id }) => ({
    name,
    id,
    program: async () => (await (await get(`${base}/target/${name}.json`)).json()) as CompiledProgram,
  })));
  return {
    ...inner,
    async verificationKey(circuit, crsId) {
      const mem = await inner.verificationKey(circuit, crsId);
      if (mem) return mem;
      const res = await fetch(`${base}/keys/${circuit.name}.${crsId}.json`);
      if (!res.ok) return undefined;
      const file = (await res.json()) as { circuit?: { id?: string }; crs?: string; vk?: string };
      if (file.circuit?.id !== circuit.id || file.crs !== crsId || typeof file.vk !== 'string') return undefined;
      return fromBase64(file.vk);
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
