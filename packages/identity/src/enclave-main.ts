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
import { runBundleEntry } from '@veil/attest/bundle-entry';
import { runEnclaveService } from './enclave-service.ts';
import { loadEnclaveConfig } from './enclave-config.ts';

await runBundleEntry({
  name: 'enclave',
  notBundled: 'run the bundle (npm run build:enclave) or `veil enclave serve` for simulation',
  entryUrl: import.meta.url,
  load: () => loadEnclaveConfig(process.env),
  simulated: (config) => config.options.producer === 'simulation',
  start: (config, measurement) => runEnclaveService({ ...config.options, ...(measurement ? { measurement } : {}) }),
  describe: (svc, config) => ({
    url: svc.url, type: svc.type, measurement: svc.measurement, simulated: svc.simulated, profile: config.profile,
    ...(config.enrollment ? { enrollment: config.enrollment } : {}),
  }),
});
