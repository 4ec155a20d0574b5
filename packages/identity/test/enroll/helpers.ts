// A real enrollment stack on loopback for the tests: the dev registry (HTTPS, its own CA), a
// simulated single-key UID node pinned to the identity service, and the identity (enclave)
// service with enrollment, pinned to the UID node. Nothing is mocked.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { ed25519 } from '@noble/curves/ed25519.js';
import { applyGroupUpdate, createGroupTree, encodeGroupUpdate, type GroupTree, type GroupUpdate } from '@veil/crypto';
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

export async function startStack(o: { databaseUrl?: string; databaseSchema?: string; registrar?: { boardUrl: string }; memberIssuers?: Array<{ iss: string; aud: string }>; keyObservations?: EnclaveServiceOptions['keyObservations'] } = {}): Promise<Stack> {
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
      ...(o.registrar ? { registrar: o.registrar } : {}), ...(o.memberIssuers ? { memberIssuers: o.memberIssuers } : {}) }),
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

/**
 * A replica of the board's group routes that makes the board's own checks with the same code
 * (`encodeGroupUpdate` + Ed25519 verification against the registrar key, next sequence number,
 * `applyGroupUpdate` on a real tree) and serves the leaf log; like the board, it acknowledges (200)
 * an update it logged when it comes again byte for byte.
 */
export async function startBoardReplica(registrarKey: () => string) {
  const trees = new Map<string, GroupTree>();
  const log = new Map<string, GroupUpdate[]>();
  const received: GroupUpdate[] = [];
  const bySeq = new Map<number, { update: GroupUpdate; signature: string }>();
  let seq = 0;
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)); };
    const m = /^\/api\/groups\/([^/?]+)(\/leaves)?/.exec(req.url ?? '');
    if (req.method === 'GET' && m) {
      const group = decodeURIComponent(m[1]!);
      if (!trees.has(group)) return send(404, { error: { code: 'ERR_GROUP_UNKNOWN', message: 'no such group' } });
      return m[2] ? send(200, { entries: log.get(group)!.map((update) => ({ update })), next: null }) : send(200, { id: group, leaves: trees.get(group)!.size });
    }
    let body = '';
    for await (const c of req) body += c;
    const { update, signature } = JSON.parse(body) as { update: GroupUpdate; signature: string };
    if (!ed25519.verify(Buffer.from(signature, 'hex'), encodeGroupUpdate(update), Buffer.from(registrarKey(), 'hex'))) return send(401, { error: { code: 'ERR_SIGNATURE_INVALID', message: 'bad' } });
    const logged = bySeq.get(update.seq);
    if (logged && logged.signature === signature && JSON.stringify(logged.update) === JSON.stringify(update)) {
      return send(200, { group: update.group, seq: update.seq, leafIndex: update.index, size: trees.get(update.group)!.members });
    }
    if (update.seq !== seq + 1) return send(409, { error: { code: 'ERR_REGISTRAR_SEQUENCE', message: 'not next' } });
    if (!trees.has(update.group)) { trees.set(update.group, await createGroupTree()); log.set(update.group, []); }
    try {
      applyGroupUpdate(trees.get(update.group)!, update);
    } catch (e) {
      return send(409, { error: { code: (e as { code: string }).code, message: (e as Error).message } });
    }
    seq++;
    bySeq.set(update.seq, { update, signature });
    received.push(update);
    log.get(update.group)!.push(update);
    send(201, { group: update.group, seq: update.seq, leafIndex: update.index, size: trees.get(update.group)!.members });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, trees, close: () => new Promise<void>((r) => server.close(() => r())) };
}
