/**
 * The shared shape of Veil's enclave entry points (the identity service's dist/enclave.mjs, the UID
 * node's dist/uid-enclave.mjs): load the configuration from the environment (exit 2 when it is bad),
 * under simulation measure the bundle file itself, start, print one JSON line, stop on SIGTERM/SIGINT
 * (exit 1 when starting fails).
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export interface BundleEntry<C, S extends { close(): Promise<void> }> {
  /** Prefix of every stderr line, e.g. `enclave`. */
  name: string;
  /** Said when simulation is asked of the unbundled sources (which have no single file to measure). */
  notBundled: string;
  /** `import.meta.url` of the entry: the bundle file measured under simulation. */
  entryUrl: string;
  load(): Promise<C>;
  simulated(config: C): boolean;
  start(config: C, measurement: string | undefined): Promise<S>;
  /** The JSON line printed once started. */
  describe(service: S, config: C): object;
}

export async function runBundleEntry<C, S extends { close(): Promise<void> }>(e: BundleEntry<C, S>): Promise<void> {
  const fail = (err: unknown, code: number): never => {
    const x = err as { code?: string; message?: string };
    process.stderr.write(`${e.name}: ${x.code ? `${x.code}: ` : ''}${x.message ?? String(err)}\n`);
    process.exit(code);
  };
  const config = await e.load().catch((err: unknown) => fail(err, 2));
  let measurement: string | undefined;
  if (e.simulated(config)) {
    // Under simulation the measurement is the SHA-256 of this very bundle file.
    const self = fileURLToPath(e.entryUrl);
    if (!self.endsWith('.mjs')) fail(new Error(e.notBundled), 2);
    measurement = createHash('sha256').update(await readFile(self)).digest('hex');
  }
  try {
    const svc = await e.start(config, measurement);
    process.stdout.write(`${JSON.stringify(e.describe(svc, config))}\n`);
    const stop = () => void svc.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (err) {
    fail(err, 1);
  }
}
