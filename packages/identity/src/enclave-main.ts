/**
 * Entry point of the enclave service (what `npm run build:enclave` bundles into dist/enclave.mjs
 * and what Gramine runs as `node /app/enclave.mjs`). Configuration comes from the environment,
 * which the Gramine manifest fixes or passes through explicitly: see enclave-config.ts for every
 * variable — the profile, the producer, the listener, provisioning, and enrollment (provider
 * registry, UID group and pins, database). The production profile (the default) refuses
 * development components; exit 2 for a bad configuration, 1 when the service fails to start.
 * Under simulation the measurement is the SHA-256 of this very bundle file, i.e. what
 * `veil attest measure` prints for the same sources.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runEnclaveService } from './enclave-service.ts';
import { loadEnclaveConfig, type EnclaveConfig } from './enclave-config.ts';

const report = (e: unknown) => {
  const err = e as { code?: string; message?: string };
  return `enclave: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}\n`;
};

let config: EnclaveConfig;
try {
  config = await loadEnclaveConfig(process.env);
} catch (e) {
  process.stderr.write(report(e));
  process.exit(2);
}

let measurement: string | undefined;
if (config.options.producer === 'simulation') {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.mjs')) {
    process.stderr.write('run the bundle (npm run build:enclave) or `veil enclave serve` for simulation\n');
    process.exit(2);
  }
  measurement = createHash('sha256').update(await readFile(self)).digest('hex');
}

try {
  const svc = await runEnclaveService({ ...config.options, ...(measurement ? { measurement } : {}) });
  process.stdout.write(`${JSON.stringify({
    url: svc.url, type: svc.type, measurement: svc.measurement, simulated: svc.simulated, profile: config.profile,
    ...(config.enrollment ? { enrollment: config.enrollment } : {}),
  })}\n`);
  const stop = () => void svc.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (e) {
  process.stderr.write(report(e));
  process.exit(1);
}
