/**
 * Circuit artifacts: where compiled programs and verification keys come from. The prover takes an
 * `ArtifactLoader`, so Node reads `circuits/` (see artifacts-node.ts) while a browser hands over
 * objects it fetched or bundled (`staticArtifacts`). Whatever the loader returns, the backend
 * checks the program's sha256 against the expected circuit id before using it.
 */

/** Name of the oidc membership circuit in circuits/circuits.json (other variants: `CircuitInfo.variant`). */
export const MEMBERSHIP_CIRCUIT = 'membership';

/** Name of the one-person group circuit in circuits/circuits.json. */
export const GROUP_CIRCUIT = 'group';

/** A compiled Noir program as noir_wasm emits it (the fields noir_js and bb.js use). */
export interface CompiledProgram {
  noir_version: string;
  abi: { parameters: Array<{ name: string; visibility: string; type: unknown }>; [k: string]: unknown };
  /** base64 of the gzipped ACIR program. */
  bytecode: string;
  [k: string]: unknown;
}

/** A circuit the verifier knows: its name and expected id (sha256 of its uncompressed ACIR). */
export interface CircuitInfo {
  name: string;
  id: string;
  /**
   * Membership circuits only: the issuer variant whose statement it proves (`oidc`, `google`,
   * `entra`), from the manifest. `prove` picks the current circuit of a variant by this field;
   * `verify` requires a bundle's `variant` to equal its circuit's.
   */
  variant?: string;
  /** For a released circuit replaced by a newer one: ISO date after which it is refused. */
  acceptedUntil?: string;
  /**
   * Membership circuits: the JWS header is a public input (the bundle carries it). True for every
   * current one; false for the oidc / google circuits released before (their bundles carry none).
   */
  publicHeader?: boolean;
}

/** The CircuitInfo fields of a manifest entry or a StaticCircuit (absent optional fields left out). */
export function circuitInfo(c: CircuitInfo): CircuitInfo {
  const { name, id, variant, acceptedUntil, publicHeader } = c;
  return {
    name,
    id,
    ...(variant !== undefined ? { variant } : {}),
    ...(acceptedUntil !== undefined ? { acceptedUntil } : {}),
    ...(publicHeader !== undefined ? { publicHeader } : {}),
  };
}

/** Source of circuit programs and verification keys. */
export interface ArtifactLoader {
  /** Every circuit this deployment accepts, with its expected id (an allowlist). */
  circuits(): Promise<CircuitInfo[]>;
  /** The compiled program of circuit `name` (checked by the caller against the expected id). */
  program(name: string): Promise<CompiledProgram>;
  /** The verification key of `circuit` under CRS `crsId`, if one was precomputed. */
  verificationKey(circuit: CircuitInfo, crsId: string): Promise<Uint8Array | undefined>;
  /** Stores a freshly computed verification key (optional: without it keys are kept in memory). */
  saveVerificationKey?(circuit: CircuitInfo, crsId: string, vk: Uint8Array): Promise<void>;
}

/**
 * One circuit for `staticArtifacts`. A retired one (`acceptedUntil`) has no program (its sources
 * are gone): it verifies with its key in `keys` (or one the loader supplies) and never proves.
 */
export interface StaticCircuit extends CircuitInfo {
  /** The program, or a function fetching it (current circuits: needed for proving, and for verifying without a key). */
  program?: CompiledProgram | (() => Promise<CompiledProgram>);
  /** Precomputed verification keys by CRS id. */
  keys?: Record<string, Uint8Array>;
}

/**
 * An `ArtifactLoader` over objects already in memory or fetched on demand (browsers, tests).
 * @example
 * import { staticArtifacts } from '@veil/prover/artifacts';
 * const artifacts = staticArtifacts([
 *   { name: 'membership', id, variant: 'oidc', program, keys: { [crsId]: vk } },
 *   { name: 'membership', id: oldId, variant: 'oidc', acceptedUntil: '2027-06-30T00:00:00.000Z', keys: { [crsId]: oldVk } },
 * ]);
 */
export function staticArtifacts(circuits: StaticCircuit[]): ArtifactLoader {
  // A name has one current circuit (the one with a program) and any number of retired ids.
  const current = new Map(circuits.filter((c) => c.acceptedUntil === undefined).map((c) => [c.name, c]));
  const computed = new Map<string, Uint8Array>();
  return {
    async circuits() {
      return circuits.map(circuitInfo);
    },
    async program(name) {
      const c = current.get(name);
      if (!c?.program) throw new TypeError(`no program for circuit "${name}"`);
      return typeof c.program === 'function' ? c.program() : c.program;
    },
    async verificationKey(circuit, crsId) {
      const c = circuits.find((k) => k.name === circuit.name && k.id === circuit.id);
      if (!c) return undefined;
      return c.keys?.[crsId] ?? computed.get(`${circuit.id}/${crsId}`);
    },
    async saveVerificationKey(circuit, crsId, vk) {
      computed.set(`${circuit.id}/${crsId}`, vk);
    },
  };
}
