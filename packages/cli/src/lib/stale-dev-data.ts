// The development profile's answer to "sealed under a different measurement": the simulated identity
// service and UID node seal their keys to the build (MRENCLAVE policy), so after any source change
// this build cannot unseal the state an earlier build left in the data dir — as a real enclave could
// not. Development data is disposable, so before anything is opened `veil serve` moves the whole data
// dir aside (everything in it depends on those keys: the board's group logs are signed by the
// registrar key, the identity store's rows are keyed by the sealed member key, UIDs come from the
// sealed UID key) and starts fresh. The production profile never calls this: there ERR_UNSEAL stays
// fatal.
//
// The check reads the measurement recorded in each sealed blob's header (readSealedMeasurement):
// unauthenticated, used only to decide whether to move the directory; a file it cannot read is left
// for the real unseal to report.
import { existsSync } from 'node:fs';
import { readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { readSealedMeasurement } from '@veil/attest/seal';
import { fromBase64 } from '@veil/crypto/bytes';

/** Where startServer keeps each sealing component's state in the data dir, and the measurement it seals to. */
export interface SealedComponent {
  /** Subdirectory of the data dir (`enclave`: identity service registrar; `uid`: the UID node's key). */
  dir: string;
  /** This build's measurement of that component. */
  measurement: string;
}

/** What was moved, and why. */
export interface SetAside {
  /** The sealed file another build wrote. */
  file: string;
  sealedBy: string;
  thisBuild: string;
  /** The data dir's new name. */
  movedTo: string;
}

/** The blob of a sealed file: `*.sealed.json` carries it base64 in `sealed`, `*.sealed` is the raw blob (DKG). */
async function sealedBlob(path: string): Promise<Uint8Array | undefined> {
  try {
    if (path.endsWith('.sealed')) return new Uint8Array(await readFile(path));
    const json = JSON.parse(await readFile(path, 'utf8')) as { sealed?: unknown };
    return fromBase64(json.sealed, 1 << 20, 'ERR_UNSEAL', 'sealed');
  } catch {
    return undefined;
  }
}

async function findForeign(dataDir: string, components: readonly SealedComponent[]): Promise<Omit<SetAside, 'movedTo'> | undefined> {
  for (const c of components) {
    const dir = join(dataDir, c.dir);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.sealed.json') || n.endsWith('.sealed')).sort()) {
      const file = join(dir, name);
      const blob = await sealedBlob(file);
      if (!blob) continue;
      let sealedBy: string;
      try {
        sealedBy = readSealedMeasurement(blob);
      } catch {
        continue;
      }
      if (sealedBy !== c.measurement) return { file, sealedBy, thisBuild: c.measurement };
    }
  }
  return undefined;
}

/** `<dataDir>.previous-build-<12 hex>`, or with `-2`, `-3`… when that name is taken: never overwrites. */
function asideName(dataDir: string, sealedBy: string): string {
  const base = `${dataDir}.previous-build-${sealedBy.slice(0, 12)}`;
  let name = base;
  for (let i = 2; existsSync(name); i++) name = `${base}-${i}`;
  return name;
}

/**
 * Development profile only: when a sealed file in `dataDir` was sealed by another build, renames the
 * whole `dataDir` aside and returns what happened; otherwise returns undefined and touches nothing.
 */
export async function setAsideStaleDevData(dataDir: string, components: readonly SealedComponent[]): Promise<SetAside | undefined> {
  const foreign = await findForeign(dataDir, components);
  if (!foreign) return undefined;
  const movedTo = asideName(dataDir, foreign.sealedBy);
  await rename(dataDir, movedTo);
  return { ...foreign, movedTo };
}

/** The loud stderr message for a set-aside data dir. */
export function describeSetAside(dataDir: string, s: SetAside, o: { databaseUrl?: boolean } = {}): string {
  const rule = `veil: ${'='.repeat(92)}\n`;
  return [
    rule,
    `veil: DEVELOPMENT DATA MOVED ASIDE: ${s.file.slice(dataDir.length + 1)} in ${dataDir} was sealed by another build\n`,
    `veil:   (measurement ${s.sealedBy}; this build is ${s.thisBuild}).\n`,
    'veil:   A real enclave could not unseal another build\'s sealed data either, and everything in the data dir\n',
    'veil:   depends on those keys. Development data is disposable, so this build starts with a fresh data dir.\n',
    `veil:   The old data is now in ${s.movedTo} (delete it when you no longer need it).\n`,
    ...(o.databaseUrl ? ['veil:   The PostgreSQL database (DATABASE_URL) was NOT reset: its group logs belong to the old registrar key.\n'] : []),
    rule,
  ].join('');
}
