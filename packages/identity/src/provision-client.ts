/**
 * The service side of boot-time provisioning: connect to the agent's unix socket, answer its
 * challenge with evidence bound to (challenge, channel key) under the "provision" tag, and
 * decrypt the secret it sends with the channel key. The secret stays in memory; nothing is written.
 *
 * Protocol (newline-delimited JSON, v: 1):
 *   agent → service  { v, msg: "challenge", challenge: hex32 }
 *   service → agent  { v, msg: "evidence", response: EvidenceResponse }
 *   agent → service  { v, msg: "secret", enc: b64, ciphertext: b64 [, sig: b64] }   (HPKE to the
 *                      channel key, info "veil-enclave/provision-secret/v1", aad = challenge;
 *                      sig: the agent's Ed25519 signature, see lib/provision-sig.ts)
 *                 or { v, msg: "refused", code, message }
 *   service → agent  { v, msg: "ack" }
 */
import { connect } from 'node:net';
import { VeilError } from '@veil/crypto';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import type { ChannelKey } from './channel.ts';
import { deriveReportData } from './report-data.ts';
import { JsonLines } from './lib/json-lines.ts';
import { parseEndpoint } from './lib/endpoint.ts';
import { provisionSignedBytes, verifyProvisionSig } from './lib/provision-sig.ts';
import { fromBase64, fromHex, toBase64, toHex } from '@veil/crypto/bytes';

/** HPKE info string of provisioned secrets. */
export const PROVISION_HPKE_INFO = new TextEncoder().encode('veil-enclave/provision-secret/v1');
/** Largest secret the protocol carries. */
export const MAX_SECRET_BYTES = 64 * 1024;

/**
 * Receives the boot-time secret from the provisioning agent listening on `socketPath` (a unix
 * socket path, or `tcp://HOST:PORT`).
 *
 * @example
 * import { receiveProvisionedSecret } from '@veil/identity/provision-client';
 * const secret = await receiveProvisionedSecret({ socketPath: '/run/veil/provision.sock', producer, channel });
 * With `agentPublicKey`, the secret is accepted only with a valid signature by that agent key, so a
 * host that answers on the endpoint cannot plant its own "secret" (e.g. credentials of a database
 * it controls). Without it, the agent is not authenticated.
 * @throws VeilError ERR_PROVISION_REFUSED, ERR_PROVISION_PROTOCOL, ERR_PROVISION_TIMEOUT, ERR_PROVISION_CLOSED,
 *   ERR_PROVISION_UNREACHABLE, ERR_PROVISION_AGENT_UNTRUSTED, ERR_CHANNEL_DECRYPT
 */
export async function receiveProvisionedSecret(opts: {
  socketPath: string;
  producer: EvidenceProducer;
  channel: ChannelKey;
  /** Ed25519 public key (32 bytes) of the only agent to accept a secret from. */
  agentPublicKey?: Uint8Array;
  timeoutMs?: number;
}): Promise<Uint8Array> {
  if (opts.agentPublicKey !== undefined && (!(opts.agentPublicKey instanceof Uint8Array) || opts.agentPublicKey.length !== 32)) {
    throw new TypeError('agentPublicKey must be a 32-byte Ed25519 public key');
  }
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const socket = connect(parseEndpoint(opts.socketPath));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (e) => reject(new VeilError('ERR_PROVISION_UNREACHABLE', `cannot reach the provisioning agent at ${opts.socketPath}: ${e.message}`, { cause: e })));
  });
  const lines = new JsonLines(socket);
  try {
    const hello = (await lines.read(timeoutMs)) as Record<string, unknown> | null;
    if (!hello || hello.v !== 1 || hello.msg !== 'challenge') throw new VeilError('ERR_PROVISION_PROTOCOL', 'expected a challenge');
    const challenge = fromHex(hello.challenge, 32, 'ERR_PROVISION_PROTOCOL', 'challenge');
    const evidence = await opts.producer.evidence(deriveReportData('provision', challenge, opts.channel.publicKey));
    await lines.write({
      v: 1,
      msg: 'evidence',
      response: {
        v: 1,
        type: opts.producer.type,
        evidence: toBase64(evidence),
        channelPublicKey: toHex(opts.channel.publicKey),
        measurement: opts.producer.measurement,
        simulated: opts.producer.simulated,
      },
    });
    const reply = (await lines.read(timeoutMs)) as Record<string, unknown> | null;
    if (reply?.v === 1 && reply.msg === 'refused') {
      throw new VeilError('ERR_PROVISION_REFUSED', `the agent refused: ${String(reply.code)}: ${String(reply.message)}`);
    }
    if (!reply || reply.v !== 1 || reply.msg !== 'secret') throw new VeilError('ERR_PROVISION_PROTOCOL', 'expected the secret');
    const enc = fromBase64(reply.enc, 256, 'ERR_PROVISION_PROTOCOL', 'enc');
    const ciphertext = fromBase64(reply.ciphertext, MAX_SECRET_BYTES + 16, 'ERR_PROVISION_PROTOCOL', 'ciphertext');
    if (opts.agentPublicKey) {
      const sig = reply.sig === undefined ? undefined : fromBase64(reply.sig, 64, 'ERR_PROVISION_PROTOCOL', 'sig');
      const signed = provisionSignedBytes(challenge, opts.channel.publicKey, enc, ciphertext);
      if (!sig || sig.length !== 64 || !verifyProvisionSig(opts.agentPublicKey, signed, sig)) {
        throw new VeilError('ERR_PROVISION_AGENT_UNTRUSTED', 'the secret is not signed by the pinned provisioning agent key');
      }
    }
    const secret = await opts.channel.open({ enc, ciphertext }, PROVISION_HPKE_INFO, challenge);
    await lines.write({ v: 1, msg: 'ack' });
    return secret;
  } finally {
    socket.end();
  }
}
