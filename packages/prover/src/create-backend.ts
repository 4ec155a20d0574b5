import { defaultArtifacts, defaultTestCrs, initNoir, type NoirWasm } from '#platform';
import type { ArtifactLoader } from './artifacts.ts';
import type { MembershipBundle } from './bundle.ts';
import { resolveCrsKind, type CrsBytes, type CrsKind } from './crs.ts';
import { Engine } from './lib/engine.ts';
import { proveMembership, type ProveInput } from './lib/prove-membership.ts';
import { verifyMembership, type VerifiedMembership, type VerifyExpectations } from './lib/verify-membership.ts';
import type { GroupProof } from './group-bundle.ts';
import { proveGroupAction, type GroupProveInput } from './lib/prove-group-action.ts';
import { verifyGroupAction, type GroupExpectations, type VerifiedGroupProof } from './lib/verify-group-action.ts';

/** Options of `createBackend`. */
export interface BackendOptions {
  /**
   * CRS used for proving. Default: 'test' only when `VEIL_CRS=test`, else 'aztec'.
   * Verification follows each bundle's own CRS, subject to `allowTestCrs`.
   */
  crs?: CrsKind;
  /** Test CRS bytes (browsers: fetched from the server) or a function supplying ≥ n points. Node default: generated and cached on disk. */
  testCrs?: CrsBytes | ((points: number) => Promise<CrsBytes>);
  /** Circuit programs and verification keys. Node default: the repository's `circuits/`. */
  artifacts?: ArtifactLoader;
  /** bb.js worker threads (default: bb.js's choice, the hardware concurrency). */
  threads?: number;
  /** Browsers: URLs of noir_js's WASM (`acvm_js_bg.wasm`, `noirc_abi_wasm_bg.wasm`) when bundling moved them. */
  noirWasm?: NoirWasm;
}

/** A warm prover/verifier: keeps bb.js instances, checked programs and verification keys. */
export interface Backend {
  /** The CRS this backend proves with. */
  readonly crs: { kind: CrsKind; id: string };
  /** Proves membership (see `prove`). */
  prove(input: ProveInput): Promise<MembershipBundle>;
  /** Verifies a bundle (see `verify`). */
  verify(bundle: unknown, jwks: unknown, expect: VerifyExpectations): Promise<VerifiedMembership>;
  /** Proves a one-person group action (see `proveGroup`). */
  proveGroup(input: GroupProveInput): Promise<GroupProof>;
  /** Verifies a group proof (see `verifyGroup`). */
  verifyGroup(proof: unknown, expect: GroupExpectations): Promise<VerifiedGroupProof>;
  /** Total and dyadic circuit size of a circuit (default: the membership circuit). */
  circuitSize(name?: string): Promise<{ total: number; dyadic: number }>;
  /** Ends the bb.js workers; the backend is unusable afterwards. */
  destroy(): Promise<void>;
}

/**
 * Creates a warm backend. Keep one per process for repeated verifies (the server does) and call
 * `destroy()` when done: bb.js workers otherwise keep the process alive.
 * @example
 * import { createBackend } from '@veil/prover/create-backend';
 * const backend = await createBackend({ crs: 'test' });
 * try { const claims = await backend.verify(bundle, jwks, { iss, aud, allowTestCrs: true }); } finally { await backend.destroy(); }
 * @throws TypeError on a bad `crs` option or `VEIL_CRS` value.
 */
export async function createBackend(options: BackendOptions = {}): Promise<Backend> {
  const kind = resolveCrsKind(options.crs);
  const { testCrs } = options;
  const engine = new Engine({
    artifacts: options.artifacts ?? (await defaultArtifacts()),
    testCrs: typeof testCrs === 'function' ? testCrs : testCrs ? async () => testCrs : defaultTestCrs,
    ...(options.threads ? { threads: options.threads } : {}),
    initNoir: () => initNoir(options.noirWasm),
  });
  return {
    crs: { kind, id: engine.crsId(kind) },
    prove: (input) => {
      if (input.crs !== undefined && input.crs !== kind) {
        throw new TypeError(`crs: this backend proves with the ${kind} CRS, not ${input.crs}`);
      }
      return proveMembership(engine, kind, input);
    },
    verify: (bundle, jwks, expect) => verifyMembership(engine, bundle, jwks, expect),
    proveGroup: (input) => proveGroupAction(engine, kind, input),
    verifyGroup: (proof, expect) => verifyGroupAction(engine, proof, expect),
    circuitSize: async (name = 'membership') => engine.sizes(await engine.circuit(name), kind),
    destroy: () => engine.destroy(),
  };
}
