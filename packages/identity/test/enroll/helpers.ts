// A real enrollment stack on loopback for the tests: the dev registry (HTTPS, its own CA), a
// simulated single-key UID node pinned to the identity service, and the identity (enclave)
// service with enrollment, pinned to the UID node. Nothing is mocked.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulationProducer, type SimulationProducer } from '@veil/attest/producers/simulation';
import { parseSimulationRoot } from '@veil/attest/simulation-root';
import { startDevRegistry, type DevRegistry } from '@veil/dev-registry';
import { createNodeVerifier, parseUidGroup, type TrustPolicy, type UidGroup } from '@veil/uid';
import { runUidService } from '@veil/uid/uid-service';
import { runEnclaveService, type EnclaveServiceHandle, type EnclaveServiceOptions } from '../../src/enclave-service.ts';
import { setupEnrollment } from '../../src/enroll/setup-enrollment.ts';
import { beginNotarisedFetch } from '../../src/notary/index.ts';
import type { NotarisedFetch } from '../../src/enroll/create-enrollment-service.ts';

export const M_IDENTITY = 'e1'.repeat(32);
export const M_UID = 'a7'.repeat(32);

export interface Stack {
  dir: string;
  registry: DevRegistry;
  producer: SimulationProducer;
  enclave: EnclaveServiceHandle;
  group: UidGroup;
  verifyNode: (n: UidGroup['nodes'][number]) => Promise<void>;
  /** What the service's code received as the credential (must only ever be ciphertext). */
  maskedSeen: Uint8Array[];
  close(): Promise<void>;
}

export async function startStack(o: { databaseUrl?: string; databaseSchema?: string; registrar?: { boardUrl: string }; keyObservations?: EnclaveServiceOptions['keyObservations'] } = {}): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'veil-enroll-'));
  const registry = await startDevRegistry({ dataDir: join(dir, 'dev-registry') });
  const producer = await createSimulationProducer({ dataDir: join(dir, 'enclave'), measurement: M_IDENTITY });
  const node = await runUidService({
    producer: 'simulation', dataDir: join(dir, 'uid'), measurement: M_UID, warn: () => {},
    callers: { measurements: [M_IDENTITY], allowSimulation: true, simulationRoot: producer.rootPublicKey },
  });
  const group = parseUidGroup({ v: 1, type: 'veil-uid-group', threshold: 1, groupPublicKey: node.groupPublicKey,
    nodes: [{ name: node.node, index: node.index, publicShare: node.publicShare, url: node.url }] });
  const trust: TrustPolicy = { measurements: [M_UID], allowSimulation: true, simulationRoot: parseSimulationRoot(await readFile(node.simulationRootPath!, 'utf8')) };
  const maskedSeen: Uint8Array[] = [];
  const beginFetch = async (p: unknown): Promise<NotarisedFetch> => {
    const f = await beginNotarisedFetch(p as never);
    return { mask: f.mask, abort: () => f.abort(), complete: (masked: Uint8Array) => { maskedSeen.push(masked.slice()); return f.complete(masked); } };
  };
  const enclave = await runEnclaveService({
    producer, port: 0, warn: () => {},
    enrollment: setupEnrollment({ dataDir: join(dir, 'enclave'), providers: [registry.provider], beginFetch, uid: { group, trust },
      ...(o.databaseUrl ? { databaseUrl: o.databaseUrl, databaseSchema: o.databaseSchema } : {}),
      ...(o.registrar ? { registrar: o.registrar } : {}) }),
    ...(o.keyObservations ? { keyObservations: o.keyObservations } : {}),
  });
  return {
    dir, registry, producer, enclave, group, maskedSeen,
    verifyNode: createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust }),
    async close() {
      await enclave.close();
      await node.close();
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
