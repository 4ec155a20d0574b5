// The warm UltraHonk engine behind a backend: one bb.js `Barretenberg` instance per CRS kind, SRS
// loaded from our own bytes (test CRS) or by bb.js's default download/cache (Aztec CRS), programs
// checked against their expected circuit id, verification keys computed at most once per
// (circuit id, CRS id) and then reused for every proof and verification.
//
// Why not `UltraHonkBackend`: its generateProof/verifyProof recompute the verification key on
// every call (about a third of proving time at 2^18) and it can only take the CRS from files. The
// lower-level barretenberg_api calls used here are the same ones it makes: `acirProveUltraHonk`
// (does not need the key; the key was only used to count public inputs), `acirVerifyUltraHonk`
// (takes the key), `acirWriteVkUltraHonk` (computes it), `srsInitSrs` (loads CRS bytes).
import { Barretenberg, RawBuffer } from '@aztec/bb.js';
import { VeilError } from '@veil/crypto';
import type { ArtifactLoader, CircuitInfo, CompiledProgram } from '../artifacts.ts';
import { AZTEC_CRS_ID, generateTestCrs, getTestCrsId, type CrsBytes, type CrsKind } from '../crs.ts';
import { fromBase64, gunzip, sha256Hex } from './bytes.ts';

/**
 * Bytes of an UltraHonk proof from bb.js 0.86, public inputs excluded: constant for every circuit
 * (the sumcheck and Gemini rounds are padded to CONST_PROOF_SIZE_LOG_N = 28), 456 field elements
 * including the 16 that carry the (here, default) pairing point object.
 */
export const PROOF_BYTES = 14592;

/** A circuit whose program matched its expected id. */
export interface LoadedCircuit extends CircuitInfo {
  program: CompiledProgram;
  acir: Uint8Array;
}

export interface EngineOptions {
  artifacts: ArtifactLoader;
  /** Supplies ≥ `points` points of the test CRS (Node: disk cache; browsers: fetched bytes). */
  testCrs: (points: number) => Promise<CrsBytes>;
  threads?: number;
  /** Prepares noir_js before the first execution (browsers initialise its WASM). */
  initNoir?: () => Promise<void>;
}

interface Instance {
  api: Barretenberg;
  /** G1 points currently loaded into the instance's SRS. */
  points: number;
}

export class Engine {
  readonly #opts: EngineOptions;
  readonly #instances = new Map<CrsKind, Promise<Instance>>();
  readonly #circuits = new Map<string, Promise<LoadedCircuit>>();
  readonly #keys = new Map<string, Promise<Uint8Array>>();
  readonly #sizes = new Map<string, Promise<{ total: number; dyadic: number }>>();
  // bb.js runs one call at a time per instance; SRS swaps must not interleave with proofs.
  #queue: Promise<unknown> = Promise.resolve();
  #destroyed = false;

  constructor(opts: EngineOptions) {
    this.#opts = opts;
  }

  get artifacts(): ArtifactLoader {
    return this.#opts.artifacts;
  }

  #known: Promise<CircuitInfo[]> | undefined;
  /** The loader's circuit allowlist (read once per backend). */
  knownCircuits(): Promise<CircuitInfo[]> {
    this.#known ??= this.#opts.artifacts.circuits();
    this.#known.catch(() => (this.#known = undefined));
    return this.#known;
  }

  /** Resolves once noir_js can execute circuits here. */
  async noirReady(): Promise<void> {
    await this.#opts.initNoir?.();
  }

  crsId(kind: CrsKind): string {
    return kind === 'test' ? getTestCrsId() : AZTEC_CRS_ID;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * The current circuit proving membership variant `variant` (the loader's `CircuitInfo.variant`).
   * @throws VeilError ERR_VARIANT_UNSUPPORTED when this deployment has no such circuit.
   */
  async membershipCircuitInfo(variant: string): Promise<CircuitInfo> {
    const known = await this.knownCircuits();
    const info = known.find((c) => c.variant === variant && c.acceptedUntil === undefined);
    if (!info) {
      const provable = [...new Set(known.filter((c) => c.variant !== undefined && c.acceptedUntil === undefined).map((c) => c.variant))];
      throw new VeilError('ERR_VARIANT_UNSUPPORTED', `the ${variant} statement has no circuit here (provable: ${provable.join(', ') || 'none'})`);
    }
    return info;
  }

  /**
   * The current circuit `name` from the loader's allowlist, its program checked against the expected
   * id. Retired circuits (`acceptedUntil`) are never loaded: they have no program, only keys.
   */
  circuit(name: string): Promise<LoadedCircuit> {
    let p = this.#circuits.get(name);
    if (!p) {
      p = (async () => {
        const info = (await this.knownCircuits()).find((c) => c.name === name && c.acceptedUntil === undefined);
        if (!info) throw new TypeError(`circuit "${name}" has no current version known to the artifact loader`);
        const program = await this.#opts.artifacts.program(name);
        const gz = fromBase64(program.bytecode);
        if (!gz) throw new Error(`circuit "${name}": bytecode is not base64`);
        const acir = await gunzip(gz);
        const id = sha256Hex(acir);
        if (id !== info.id) {
          throw new Error(
            `circuit "${name}" compiled to id ${id} but the manifest expects ${info.id}: ` +
              'the Noir sources changed without `npm run build:circuits` (or the artifact was edited)',
          );
        }
        return { name, id, program, acir };
      })();
      this.#circuits.set(name, p);
      p.catch(() => this.#circuits.delete(name));
    }
    return p;
  }

  #instance(kind: CrsKind): Promise<Instance> {
    if (this.#destroyed) throw new Error('backend destroyed');
    let p = this.#instances.get(kind);
    if (!p) {
      p = (async () => {
        const api = await Barretenberg.new(this.#opts.threads ? { threads: this.#opts.threads } : {});
        return { api, points: 0 };
      })();
      this.#instances.set(kind, p);
      p.catch(() => this.#instances.delete(kind));
    }
    return p;
  }

  /** An instance whose SRS holds at least `points` G1 points of CRS `kind`. */
  async #ready(kind: CrsKind, points: number): Promise<Barretenberg> {
    const inst = await this.#instance(kind);
    if (inst.points >= points) return inst.api;
    if (kind === 'aztec') {
      // bb.js default: ~/.bb-crs, downloaded once from Aztec's CDN (needs the network the first time).
      try {
        await inst.api.initSRSForCircuitSize(Math.max(points - 1, 1));
      } catch (cause) {
        throw new VeilError(
          'ERR_CRS_UNAVAILABLE',
          `Aztec's CRS (needed for production proofs) is not in ~/.bb-crs and could not be downloaded (${String((cause as Error)?.message ?? cause).split('\n')[0]}): ` +
            'connect to the internet once so bb.js can fetch it, or copy ~/.bb-crs from a machine that has it. Development servers use the test CRS instead.',
          { cause },
        );
      }
    } else {
      const crs = points <= 2 ? generateTestCrs(2) : await this.#opts.testCrs(points);
      const n = Math.floor(crs.g1.length / 64);
      if (n < points) throw new Error(`test CRS holds ${n} points, ${points} needed`);
      await inst.api.srsInitSrs(new RawBuffer(crs.g1.subarray(0, n * 64)), n, new RawBuffer(crs.g2));
      inst.points = n;
      return inst.api;
    }
    inst.points = points;
    return inst.api;
  }

  /** Total gate count and dyadic (power-of-two) size of a circuit. */
  sizes(circuit: LoadedCircuit, kind: CrsKind): Promise<{ total: number; dyadic: number }> {
    let p = this.#sizes.get(circuit.id);
    if (!p) {
      p = this.#serial(async () => {
        const { api } = await this.#instance(kind); // needs no SRS
        const [total, dyadic] = await api.acirGetCircuitSizes(circuit.acir, false, true);
        return { total, dyadic };
      });
      this.#sizes.set(circuit.id, p);
      p.catch(() => this.#sizes.delete(circuit.id));
    }
    return p;
  }

  /**
   * The verification key for (circuit, CRS): from the loader, else computed once from the current
   * program and saved. A retired circuit has only the loader's key (no program is fetched for it).
   */
  verificationKey(circuit: LoadedCircuit | CircuitInfo, kind: CrsKind): Promise<Uint8Array> {
    const crsId = this.crsId(kind);
    const key = `${circuit.id}/${crsId}`;
    let p = this.#keys.get(key);
    if (!p) {
      p = (async () => {
        const stored = await this.#opts.artifacts.verificationKey({ name: circuit.name, id: circuit.id }, crsId);
        if (stored) return stored;
        if (!('acir' in circuit) && circuit.acceptedUntil !== undefined) {
          throw new Error(`circuit "${circuit.name}" ${circuit.id} is retired: it verifies only with its stored verification key, and there is none for CRS ${crsId}`);
        }
        const loaded = 'acir' in circuit ? circuit : await this.circuit(circuit.name);
        if (loaded.id !== circuit.id) throw new Error(`circuit "${circuit.name}": no verification key for id ${circuit.id}`);
        const { dyadic } = await this.sizes(loaded, kind);
        const vk = await this.#serial(async () => {
          const api = await this.#ready(kind, dyadic + 1);
          return api.acirWriteVkUltraHonk(loaded.acir);
        });
        await this.#opts.artifacts.saveVerificationKey?.({ name: loaded.name, id: loaded.id }, crsId, vk);
        return vk;
      })();
      this.#keys.set(key, p);
      p.catch(() => this.#keys.delete(key));
    }
    return p;
  }

  /** Proves; returns bb's output: public inputs (32 bytes each) followed by the proof. */
  async prove(circuit: LoadedCircuit, kind: CrsKind, witnessGz: Uint8Array): Promise<Uint8Array> {
    const { dyadic } = await this.sizes(circuit, kind);
    const witness = await gunzip(witnessGz);
    return this.#serial(async () => {
      const api = await this.#ready(kind, dyadic + 1);
      return api.acirProveUltraHonk(circuit.acir, witness);
    });
  }

  /** Verifies public inputs ‖ proof against the precomputed key. Needs only G1[0] and [τ]G2. */
  async verify(circuit: CircuitInfo, kind: CrsKind, proofWithInputs: Uint8Array): Promise<boolean> {
    const vk = await this.verificationKey(circuit, kind);
    return this.#serial(async () => {
      const api = await this.#ready(kind, 1);
      return api.acirVerifyUltraHonk(proofWithInputs, new RawBuffer(vk));
    });
  }

  async destroy(): Promise<void> {
    this.#destroyed = true;
    await this.#queue;
    const all = [...this.#instances.values()];
    this.#instances.clear();
    for (const p of all) {
      const inst = await p.catch(() => undefined);
      await inst?.api.destroy();
    }
  }
}
