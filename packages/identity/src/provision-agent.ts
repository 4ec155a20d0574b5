/**
 * The provisioning agent (`veil provision`): holds a boot-time secret outside the enclave and
 * hands it only to a service that proves, with evidence bound to a FRESH challenge and to its
 * channel key, that it runs an expected measurement. Protocol: see provision-client.ts.
 *
 * Per connection: fresh 32-byte challenge → evidence → verifyEnclaveEvidence (SGX through the
 * attest verifier; simulation only when allowed, with its root) → secret encrypted with HPKE to
 * the channel key the evidence binds, aad = challenge. On any failure the agent sends a refusal
 * and never the secret. Replayed evidence fails the binding (different challenge), a swapped
 * channel key fails the binding (different key), and a relayed exchange only ever yields a
 * ciphertext for the genuine enclave's key.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chmod, lstat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { isVeilError } from '@veil/crypto';
import { sealToChannel } from './channel.ts';
import { verifyEnclaveEvidence, type SgxQuoteVerifier } from './verify-evidence.ts';
import { JsonLines } from './lib/json-lines.ts';
import { parseEndpoint } from './lib/endpoint.ts';
import { agentPublicKey, provisionSignedBytes, signProvision } from './lib/provision-sig.ts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { toBase64, toHex } from '@veil/crypto/bytes';
import { MAX_SECRET_BYTES, PROVISION_HPKE_INFO } from './provision-client.ts';

/** What happened on one connection. */
export type ProvisionEvent =
  | { kind: 'provisioned'; measurement: string; simulated: boolean }
  | { kind: 'refused'; code: string; message: string };

/** Options of {@link startProvisionAgent}. */
export interface ProvisionAgentOptions {
  /** Unix socket path (created with mode 0600), or `tcp://HOST:PORT` (port 0 = any). */
  socketPath: string;
  secret: Uint8Array;
  /** Accepted measurements (hex); at least one. */
  measurements: readonly string[];
  allowSimulation?: boolean;
  simulationRoot?: Uint8Array;
  allowDebug?: boolean;
  verifySgxQuote?: SgxQuoteVerifier;
  /** Ed25519 secret key (32 bytes) to sign every secret with; services that pin its public key require it. */
  agentSecretKey?: Uint8Array;
  /** Stop listening after the first successful provisioning. */
  once?: boolean;
  timeoutMs?: number;
  onEvent?: (e: ProvisionEvent) => void;
}

/** A running agent. */
export interface ProvisionAgent {
  /** Where the agent listens (for tcp:// with port 0, the actual port). */
  socketPath: string;
  /** Resolves when the agent stopped (after `close()`, or after the first success with `once`). */
  done: Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh Ed25519 agent key pair: the agent signs secrets with `secretKey`, services pin `publicKey`.
 *
 * @example
 * import { generateAgentKey } from '@veil/identity/provision-agent';
 * const { secretKey, publicKey } = generateAgentKey();
 */
export function generateAgentKey(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = ed25519.utils.randomSecretKey();
  return { secretKey, publicKey: agentPublicKey(secretKey) };
}

/**
 * The public key services pin for an agent secret key.
 *
 * @example
 * import { agentPublicKeyOf } from '@veil/identity/provision-agent';
 * const pinned = agentPublicKeyOf(secretKey);
 * @throws TypeError when the key is not 32 bytes.
 */
export function agentPublicKeyOf(secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) throw new TypeError('agent secret key must be 32 bytes');
  return agentPublicKey(secretKey);
}

async function removeStaleSocket(path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return;
  if (!st.isSocket()) throw new TypeError(`${path} exists and is not a socket`);
  await unlink(path);
}

/**
 * Starts the agent on a unix socket.
 *
 * @example
 * import { startProvisionAgent } from '@veil/identity/provision-agent';
 * const agent = await startProvisionAgent({ socketPath, secret, measurements: [m], once: true });
 * await agent.done;
 */
export async function startProvisionAgent(opts: ProvisionAgentOptions): Promise<ProvisionAgent> {
  if (!(opts.secret instanceof Uint8Array) || opts.secret.length === 0 || opts.secret.length > MAX_SECRET_BYTES) {
    throw new TypeError(`secret must be 1 to ${MAX_SECRET_BYTES} bytes`);
  }
  if (!Array.isArray(opts.measurements) || opts.measurements.length === 0) throw new TypeError('measurements: at least one is required');
  if (opts.allowSimulation && !opts.simulationRoot) throw new TypeError('simulationRoot is required with allowSimulation');
  if (opts.agentSecretKey !== undefined && (!(opts.agentSecretKey instanceof Uint8Array) || opts.agentSecretKey.length !== 32)) {
    throw new TypeError('agentSecretKey must be a 32-byte Ed25519 secret key');
  }
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const endpoint = parseEndpoint(opts.socketPath);
  if ('path' in endpoint) await removeStaleSocket(endpoint.path);

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    void handle(socket);
  });
  server.on('close', () => resolveDone());
  // Each connection costs a verification; a flood of them must not exhaust the agent.
  server.maxConnections = 16;

  async function handle(socket: Socket): Promise<void> {
    const lines = new JsonLines(socket);
    const challenge = new Uint8Array(randomBytes(32));
    try {
      await lines.write({ v: 1, msg: 'challenge', challenge: toHex(challenge) });
      const m = (await lines.read(timeoutMs)) as Record<string, unknown> | null;
      if (!m || m.v !== 1 || m.msg !== 'evidence') {
        await refuse(lines, 'ERR_PROVISION_PROTOCOL', 'expected evidence');
        return;
      }
      const verified = await verifyEnclaveEvidence(m.response, {
        purpose: 'provision',
        challenge,
        measurements: opts.measurements,
        allowSimulation: opts.allowSimulation === true,
        simulationRoot: opts.simulationRoot,
        allowDebug: opts.allowDebug === true,
        verifySgxQuote: opts.verifySgxQuote,
      });
      const { enc, ciphertext } = await sealToChannel(verified.channelPublicKey, opts.secret, PROVISION_HPKE_INFO, challenge);
      const sig = opts.agentSecretKey
        ? { sig: toBase64(signProvision(opts.agentSecretKey, provisionSignedBytes(challenge, verified.channelPublicKey, enc, ciphertext))) }
        : {};
      await lines.write({ v: 1, msg: 'secret', enc: toBase64(enc), ciphertext: toBase64(ciphertext), ...sig });
      const ack = (await lines.read(timeoutMs)) as Record<string, unknown> | null;
      if (!ack || ack.v !== 1 || ack.msg !== 'ack') throw Object.assign(new Error('no acknowledgement'), { code: 'ERR_PROVISION_PROTOCOL' });
      opts.onEvent?.({ kind: 'provisioned', measurement: verified.facts.measurement, simulated: verified.simulated });
      if (opts.once) void close();
    } catch (e) {
      const code = isVeilError(e) ? e.code : ((e as { code?: string }).code ?? 'ERR_PROVISION_FAILED');
      const message = e instanceof Error ? e.message : String(e);
      await refuse(lines, code, message).catch(() => undefined);
    } finally {
      socket.end();
    }
  }

  async function refuse(lines: JsonLines, code: string, message: string): Promise<void> {
    opts.onEvent?.({ kind: 'refused', code, message });
    await lines.write({ v: 1, msg: 'refused', code, message });
  }

  async function close(): Promise<void> {
    await new Promise<void>((r) => {
      server.close(() => r());
      for (const s of sockets) s.destroy();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(endpoint, () => resolve());
  });
  if ('path' in endpoint) await chmod(endpoint.path, 0o600);
  const addr = server.address();
  const socketPath = 'path' in endpoint || typeof addr !== 'object' || !addr ? opts.socketPath : `tcp://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${addr.port}`;
  return { socketPath, done, close };
}
