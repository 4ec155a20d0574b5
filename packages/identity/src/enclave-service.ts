/**
 * Runs the enclave service: pick the producer, make the channel key, optionally receive the
 * boot-time secret from the provisioning agent, then listen. Used by the bundled entry point
 * (enclave-main.ts) and, through start-enclave-service.ts, by `veil enclave serve` and the
 * development profile of `veil serve`. Whenever the producer is the simulation one, a loud warning
 * goes to stderr (or to `warn`).
 */
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { createGramineProducer } from '@veil/attest/producers/gramine';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { buildEnclaveApp } from './app.ts';
import { generateChannelKey } from './channel.ts';
import { receiveProvisionedSecret } from './provision-client.ts';
import { toHex } from '@veil/crypto/bytes';
import type { ChannelKey } from './channel.ts';
import type { EnrollmentService } from './enroll/create-enrollment-service.ts';
import { createKeyObserver } from './key-history/create-key-observer.ts';
import type { ObservedIssuer } from './key-history/fetch-issuer-keys.ts';

/** The warning printed whenever simulation evidence is in play. */
export const SIMULATION_WARNING =
  '!!! WARNING: SIMULATED ATTESTATION. This enclave service runs WITHOUT a TEE; its evidence is signed by a ' +
  'local development key and proves nothing about isolation. Never use it with real personal data. !!!';

/** Options of the enclave service. */
export interface EnclaveServiceOptions {
  /** `gramine` (real SGX via /dev/attestation), `simulation`, or a ready producer. */
  producer: 'gramine' | 'simulation' | EvidenceProducer;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Simulation data directory (root key, seal key). Required for `simulation`. */
  dataDir?: string;
  /** Gramine attestation root. Default /dev/attestation. */
  gramineRoot?: string;
  /** The build measurement the simulation producer reports. Required for `simulation`. */
  measurement?: string;
  /** Receive the boot-time secret from `veil provision` on this unix socket before listening. */
  provisionSocket?: string;
  /** Hex Ed25519 public key of the only provisioning agent to accept a secret from (recommended). */
  provisionAgentKey?: string;
  provisionTimeoutMs?: number;
  /** Builds the enrollment service once the producer and channel key exist (routes /identity/v1/). */
  enrollment?: (ctx: { producer: EvidenceProducer; channel: ChannelKey; secret?: Uint8Array }) => Promise<EnrollmentService>;
  /**
   * Observe these issuers' keys (signed with the enrollment service's claims key, so it needs
   * `enrollment`): every `everyMs` (default 1 h) and on demand.
   */
  keyObservations?: { issuers: ObservedIssuer[]; everyMs?: number; minIntervalMs?: number; onError?: (iss: string, e: unknown) => void };
  logger?: boolean;
  /** Where the simulation warning goes. Default: stderr. */
  warn?: (message: string) => void;
}

/** A running enclave service. */
export interface EnclaveServiceHandle {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  type: 'sgx' | 'simulation';
  simulated: boolean;
  measurement: string;
  /** Hex X25519 channel public key. */
  channelPublicKey: string;
  /** Path of the simulation root file verifiers need (`--simulation-root`), simulation only. */
  simulationRootPath?: string;
  /** The provisioned secret (memory only), when a provision socket was given. */
  secret?: Uint8Array;
  /** The enrollment service, when one was configured. */
  enrollment?: EnrollmentService;
  close(): Promise<void>;
}

async function makeProducer(opts: EnclaveServiceOptions): Promise<EvidenceProducer> {
  if (typeof opts.producer === 'object' && opts.producer !== null) return opts.producer;
  if (opts.producer === 'gramine') return createGramineProducer({ root: opts.gramineRoot });
  if (opts.producer === 'simulation') {
    if (!opts.dataDir) throw new TypeError('dataDir is required for the simulation producer');
    if (!opts.measurement) throw new TypeError('measurement is required for the simulation producer');
    return createSimulationProducer({ dataDir: opts.dataDir, measurement: opts.measurement });
  }
  throw new TypeError('producer must be "gramine", "simulation" or an EvidenceProducer');
}

/**
 * Starts the enclave service with an already known measurement.
 *
 * @example
 * import { runEnclaveService } from '@veil/identity/enclave-service';
 * const svc = await runEnclaveService({ producer: 'gramine', port: 8090, host: '0.0.0.0' });
 * @throws VeilError codes of the producer (ERR_GRAMINE_*) and of provisioning (ERR_PROVISION_*).
 */
export async function runEnclaveService(opts: EnclaveServiceOptions): Promise<EnclaveServiceHandle> {
  const producer = await makeProducer(opts);
  if (producer.simulated) (opts.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(SIMULATION_WARNING);
  let agentPublicKey: Uint8Array | undefined;
  if (opts.provisionAgentKey !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(opts.provisionAgentKey)) throw new TypeError('provisionAgentKey must be 32 bytes of hex');
    agentPublicKey = Uint8Array.from(opts.provisionAgentKey.match(/../g)!.map((h) => parseInt(h, 16)));
  }
  const channel = await generateChannelKey();
  const secret = opts.provisionSocket
    ? await receiveProvisionedSecret({ socketPath: opts.provisionSocket, producer, channel, agentPublicKey, timeoutMs: opts.provisionTimeoutMs })
    : undefined;
  const enrollment = opts.enrollment ? await opts.enrollment({ producer, channel, ...(secret ? { secret } : {}) }) : undefined;
  if (opts.keyObservations && !enrollment) throw new TypeError('keyObservations needs enrollment (observations are signed with its claims key)');
  const keyObserver = opts.keyObservations && enrollment
    ? createKeyObserver({ sign: enrollment.signKeyObservation, issuers: opts.keyObservations.issuers, ...(opts.keyObservations.minIntervalMs ? { minIntervalMs: opts.keyObservations.minIntervalMs } : {}) })
    : undefined;
  const app = await buildEnclaveApp({ producer, channel, logger: opts.logger, ...(enrollment ? { enrollment } : {}), ...(keyObserver ? { keyObserver } : {}) });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 0, host });
  if (keyObserver) {
    const onError = opts.keyObservations!.onError ?? ((iss: string, e: unknown) => process.stderr.write(`veil enclave: could not observe the keys of ${iss}: ${e instanceof Error ? e.message : String(e)}\n`));
    keyObserver.start(opts.keyObservations!.everyMs ?? 3_600_000, onError);
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    type: producer.type,
    simulated: producer.simulated,
    measurement: producer.measurement,
    channelPublicKey: toHex(channel.publicKey),
    simulationRootPath: (producer as { rootPublicPath?: string }).rootPublicPath,
    secret,
    ...(enrollment ? { enrollment } : {}),
    close: () => app.close(),
  };
}
