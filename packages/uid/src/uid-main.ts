/**
 * Entry point of the UID node (what `npm run build:uid-enclave` bundles into dist/uid-enclave.mjs
 * and what Gramine runs as `node /app/uid-enclave.mjs`). Configuration comes from the environment,
 * which the Gramine manifest fixes or passes through explicitly: see uid-config.ts for every
 * variable. The production profile (the default) refuses development components; exit 2 for a bad
 * configuration, 1 when the node fails to start. Under simulation the measurement is the SHA-256
 * of this very bundle file, i.e. what `npm run build:uid-enclave` prints for the same sources.
 */
import { runBundleEntry } from '@veil/attest/bundle-entry';
import { runUidService } from './uid-service.ts';
import { loadUidConfig } from './uid-config.ts';

await runBundleEntry({
  name: 'uid',
  notBundled: 'run the bundle (npm run build:uid-enclave) or `veil uid serve` for simulation',
  entryUrl: import.meta.url,
  load: () => loadUidConfig(process.env),
  simulated: (config) => config.options.producer === 'simulation',
  start: (config, measurement) => runUidService({ ...config.options, ...(measurement ? { measurement } : {}), warn: (m) => process.stderr.write(`uid: ${m}\n`) }),
  describe: (svc, config) => ({
    url: svc.url, node: svc.node, index: svc.index, threshold: svc.threshold, publicShare: svc.publicShare, groupPublicKey: svc.groupPublicKey,
    type: svc.type, measurement: svc.measurement, simulated: svc.simulated, share: svc.sealedSharePath, profile: config.profile,
    ...(svc.simulationRootPath ? { simulationRoot: svc.simulationRootPath } : {}),
  }),
});
