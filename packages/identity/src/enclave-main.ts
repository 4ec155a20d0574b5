/**
 * Entry point of the enclave service (what `npm run build:enclave` bundles into dist/enclave.mjs
 * and what Gramine runs as `node /app/enclave.mjs`). Configuration comes from the environment,
 * which the Gramine manifest fixes or passes through explicitly:
 *   VEIL_ENCLAVE_PRODUCER   gramine (default) | simulation
 *   VEIL_ENCLAVE_HOST       listen address (default 127.0.0.1)
 *   VEIL_ENCLAVE_PORT       TCP port (default 8090)
 *   VEIL_GRAMINE_ROOT       attestation pseudo-fs (default /dev/attestation)
 *   VEIL_DATA_DIR           simulation only: where the simulation root and seal key live
 *   VEIL_PROVISION_SOCKET   unix socket (or tcp://HOST:PORT) of `veil provision`; when set, the
 *                           secret is fetched first
 *   VEIL_PROVISION_AGENT_KEY hex Ed25519 public key of the only agent to accept a secret from
 *                           (fixed in the Gramine manifest, so part of MRENCLAVE)
 * Under simulation the measurement is the SHA-256 of this very bundle file, i.e. what
 * `veil attest measure` prints for the same sources.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runEnclaveService } from './enclave-service.ts';

const env = process.env;
const producer = env.VEIL_ENCLAVE_PRODUCER ?? 'gramine';
if (producer !== 'gramine' && producer !== 'simulation') {
  process.stderr.write('VEIL_ENCLAVE_PRODUCER must be gramine or simulation\n');
  process.exit(2);
}
const port = Number(env.VEIL_ENCLAVE_PORT ?? 8090);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('VEIL_ENCLAVE_PORT must be a port number\n');
  process.exit(2);
}

let measurement: string | undefined;
if (producer === 'simulation') {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.mjs')) {
    process.stderr.write('run the bundle (npm run build:enclave) or `veil enclave serve` for simulation\n');
    process.exit(2);
  }
  measurement = createHash('sha256').update(await readFile(self)).digest('hex');
}

try {
  const svc = await runEnclaveService({
    producer,
    port,
    host: env.VEIL_ENCLAVE_HOST ?? '127.0.0.1',
    gramineRoot: env.VEIL_GRAMINE_ROOT,
    dataDir: env.VEIL_DATA_DIR ?? 'data/enclave',
    measurement,
    provisionSocket: env.VEIL_PROVISION_SOCKET,
    provisionAgentKey: env.VEIL_PROVISION_AGENT_KEY || undefined,
  });
  process.stdout.write(`${JSON.stringify({ url: svc.url, type: svc.type, measurement: svc.measurement, simulated: svc.simulated })}\n`);
  const stop = () => void svc.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (e) {
  const err = e as { code?: string; message?: string };
  process.stderr.write(`enclave: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}\n`);
  process.exit(1);
}
