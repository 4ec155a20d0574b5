/**
 * Entry point of the UID node (what `npm run build:uid-enclave` bundles into dist/uid-enclave.mjs
 * and what Gramine runs as `node /app/uid-enclave.mjs`). Configuration comes from the environment,
 * which the Gramine manifest fixes or passes through explicitly: see uid-config.ts for every
 * variable. The production profile (the default) refuses development components; exit 2 for a bad
 * configuration, 1 when the node fails to start. Under simulation the measurement is the SHA-256
 * of this very bundle file, i.e. what `npm run build:uid-enclave` prints for the same sources.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runUidService } from './uid-service.ts';
import { loadUidConfig, type UidConfig } from './uid-config.ts';

const report = (e: unknown) => {
  const err = e as { code?: string; message?: string };
  return `uid: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}\n`;
};

let config: UidConfig;
try {
  config = await loadUidConfig(process.env);
} catch (e) {
  process.stderr.write(report(e));
  process.exit(2);
}

let measurement: string | undefined;
if (config.options.producer === 'simulation') {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.mjs')) {
    process.stderr.write('run the bundle (npm run build:uid-enclave) or `veil uid serve` for simulation\n');
    process.exit(2);
  }
  measurement = createHash('sha256').update(await readFile(self)).digest('hex');
}

try {
  const svc = await runUidService({ ...config.options, ...(measurement ? { measurement } : {}), warn: (m) => process.stderr.write(`uid: ${m}\n`) });
  process.stdout.write(`${JSON.stringify({
    url: svc.url, node: svc.node, index: svc.index, threshold: svc.threshold, publicShare: svc.publicShare, groupPublicKey: svc.groupPublicKey,
    type: svc.type, measurement: svc.measurement, simulated: svc.simulated, share: svc.sealedSharePath, profile: config.profile,
    ...(svc.simulationRootPath ? { simulationRoot: svc.simulationRootPath } : {}),
  })}\n`);
  const stop = () => void svc.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (e) {
  process.stderr.write(report(e));
  process.exit(1);
}
