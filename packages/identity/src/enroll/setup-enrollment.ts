/**
 * Node-only assembly of the enrollment service for runEnclaveService's `enrollment` hook: the
 * store (SQLite in the service's data dir, or PostgreSQL with a database URL), the provider
 * registry with the notarised fetch, and the UID client, mutually attested:
 *   - the identity service verifies every UID node's evidence against the pinned UID measurement
 *     before it sends a blinded element (createNodeVerifier);
 *   - a UID node evaluates only for a caller whose evidence covers its nonce and the elements and
 *     verifies against the pinned identity measurement (the node's `callers` policy).
 * `devUidNode` starts one simulated single-key UID node on loopback for the development profile,
 * pinned to this identity service's own measurement and simulation root.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { parseSimulationRoot } from '@veil/attest/simulation-root';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { createNodeVerifier, deriveUid, parseUidGroup, type TrustPolicy, type UidGroup } from '@veil/uid';
import type { ChannelKey } from '../channel.ts';
import { createEnrollmentService, type EnrollmentDeps, type EnrollmentService, type ProviderEntry } from './create-enrollment-service.ts';
import { createRegistrar } from './registrar/create-registrar.ts';
import { openPostgresIdentityStore, openSqliteIdentityStore } from './storage/index.ts';

/** Where the UIDs come from. */
export type UidSource =
  | { group: UidGroup; trust: TrustPolicy }
  /** Development: start a simulated single-key UID node in `dataDir` (loopback). */
  | { dev: { dataDir: string; warn?: (m: string) => void } };

export interface EnrollmentSetup {
  /** The identity service's data dir (the SQLite store lives here). */
  dataDir: string;
  /** PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  databaseSchema?: string;
  /** Path of better-sqlite3's native addon (the enclave bundle passes it; from source it is found). */
  sqliteAddon?: string;
  providers: readonly ProviderEntry[];
  beginFetch: EnrollmentDeps['beginFetch'];
  uid: UidSource;
  /** Run the registrar (group.join), sending its updates to this board. */
  registrar?: { boardUrl: string };
  /** ID token issuers and client ids accepted for `member:<domain>` groups. */
  memberIssuers?: EnrollmentDeps['memberIssuers'];
}

type Ctx = { producer: EvidenceProducer; channel: ChannelKey };

/**
 * The `enrollment` hook for runEnclaveService / startEnclaveService.
 *
 * @example
 * import { setupEnrollment } from '@veil/identity/enroll/setup';
 * await startEnclaveService({ producer: 'simulation', dataDir, enrollment: setupEnrollment({ dataDir, providers, beginFetch, uid: { dev: { dataDir: uidDir } } }) });
 */
export function setupEnrollment(setup: EnrollmentSetup): (ctx: Ctx) => Promise<EnrollmentService> {
  return async ({ producer, channel }) => {
    const closers: Array<() => Promise<void>> = [];
    try {
      let group: UidGroup;
      let trust: TrustPolicy;
      let uidMeasurement: string | undefined;
      if ('dev' in setup.uid) {
        const simulationRoot = (producer as { rootPublicKey?: Uint8Array }).rootPublicKey;
        if (!producer.simulated || !simulationRoot) throw new TypeError('a development UID node needs the simulation producer');
        const { runUidService } = await import('@veil/uid/uid-service');
        const { measureUidSources } = await import('@veil/uid/measure-sources');
        const node = await runUidService({
          producer: 'simulation', dataDir: setup.uid.dev.dataDir, measurement: await measureUidSources(),
          callers: { measurements: [producer.measurement], allowSimulation: true, simulationRoot },
          ...(setup.uid.dev.warn ? { warn: setup.uid.dev.warn } : {}),
        });
        closers.push(() => node.close());
        group = parseUidGroup({
          v: 1, type: 'veil-uid-group', threshold: node.threshold, groupPublicKey: node.groupPublicKey,
          nodes: [{ name: node.node, index: node.index, publicShare: node.publicShare, url: node.url }],
        });
        uidMeasurement = node.measurement;
        trust = { measurements: [node.measurement], allowSimulation: true, simulationRoot: parseSimulationRoot(await readFile(node.simulationRootPath!, 'utf8')) };
      } else {
        ({ group, trust } = setup.uid);
      }
      const verifyNode = createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust });
      const attestCaller = async (reportData: Uint8Array) => ({ type: producer.type, evidence: await producer.evidence(reportData) });

      const store = setup.databaseUrl
        ? await openPostgresIdentityStore({ connectionString: setup.databaseUrl, ...(setup.databaseSchema ? { schema: setup.databaseSchema } : {}) })
        : openSqliteIdentityStore({ path: join(setup.dataDir, 'identity.sqlite'), ...(setup.sqliteAddon ? { nativeBinding: setup.sqliteAddon } : {}) });
      closers.push(() => store.close());
      const simulationRoot = (producer as { rootPublicKey?: Uint8Array }).rootPublicKey;
      const registrar = setup.registrar
        ? await createRegistrar({ producer, dataDir: setup.dataDir, store, boardUrl: setup.registrar.boardUrl })
        : undefined;
      return await createEnrollmentService({
        ...(registrar ? { registrar } : {}),
        ...(setup.memberIssuers ? { memberIssuers: setup.memberIssuers } : {}),
        channel, producer, store, providers: setup.providers, beginFetch: setup.beginFetch,
        deriveUid: async (input) => (await deriveUid({ input, group, attestCaller, verifyNode })).uid,
        uidNodes: group.nodes.map((n) => ({ name: n.name, url: n.url, ...(uidMeasurement ? { measurement: uidMeasurement } : {}) })),
        ...(producer.simulated && simulationRoot ? { simulationRoot } : {}),
        close: async () => { for (const c of closers.reverse()) await c(); },
      });
    } catch (e) {
      for (const c of closers.reverse()) await c().catch(() => {});
      throw e;
    }
  };
}
