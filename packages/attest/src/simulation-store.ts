/**
 * Node-only storage for the per-install simulation secrets, created on first use in a data dir:
 *   simulation-root.key   P-256 secret key of the simulation root, hex, mode 0600
 *   simulation-root.json  its public key in the format of simulation-root.ts (give this to verifiers)
 *   simulation-seal.key   32 random bytes, hex, mode 0600: the stand-in for the SGX sealing key
 *
 * Files are created atomically (write a private temp file, then link(2), which fails if another
 * process won the race) and secret files that are readable by group or others are refused.
 * This is development machinery: the secrets are only as safe as the data directory.
 */
import { mkdir, readFile, writeFile, link, unlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { VeilError } from '@veil/crypto';
import { exportSimulationRoot } from './simulation-root.ts';

/** File names inside the data directory. */
export const SIMULATION_FILES = Object.freeze({
  rootKey: 'simulation-root.key',
  rootPublic: 'simulation-root.json',
  sealKey: 'simulation-seal.key',
});

/** The simulation secrets of one install. */
export interface SimulationInstall {
  rootSecretKey: Uint8Array;
  /** Uncompressed P-256 public key (65 bytes). */
  rootPublicKey: Uint8Array;
  sealKey: Uint8Array;
  /** Absolute path of the public root file to hand to verifiers. */
  rootPublicPath: string;
}

async function createOnce(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${bytesToHex(randomBytes(6))}.tmp`;
  await writeFile(tmp, content, { mode, flag: 'wx' });
  try {
    await link(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await unlink(tmp);
  }
}

async function readSecretHex(path: string, length: number): Promise<Uint8Array> {
  const st = await stat(path);
  if ((st.mode & 0o077) !== 0) {
    throw new VeilError('ERR_SIMULATION_KEY_PERMISSIONS', `${path} is readable by group or others; chmod 600 it`);
  }
  const text = (await readFile(path, 'utf8')).trim();
  if (!new RegExp(`^[0-9a-f]{${length * 2}}$`).test(text)) {
    throw new VeilError('ERR_SIMULATION_KEY_INVALID', `${path} does not hold ${length} bytes of hex`);
  }
  return hexToBytes(text);
}

/**
 * Loads the simulation secrets of the install in `dataDir`, creating them on first use.
 *
 * @example
 * import { loadSimulationInstall } from '@veil/attest/simulation-store';
 * const { rootPublicPath } = await loadSimulationInstall('./data/enclave');
 * @throws VeilError ERR_SIMULATION_KEY_PERMISSIONS, ERR_SIMULATION_KEY_INVALID
 */
export async function loadSimulationInstall(dataDir: string): Promise<SimulationInstall> {
  if (typeof dataDir !== 'string' || dataDir === '') throw new TypeError('dataDir is required');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const rootKeyPath = join(dataDir, SIMULATION_FILES.rootKey);
  const sealKeyPath = join(dataDir, SIMULATION_FILES.sealKey);
  const rootPublicPath = join(dataDir, SIMULATION_FILES.rootPublic);

  await createOnce(rootKeyPath, `${bytesToHex(p256.utils.randomSecretKey())}\n`, 0o600).catch(ignoreExists);
  await createOnce(sealKeyPath, `${bytesToHex(randomBytes(32))}\n`, 0o600).catch(ignoreExists);
  const rootSecretKey = await readSecretHex(rootKeyPath, 32);
  if (!p256.utils.isValidSecretKey(rootSecretKey)) {
    throw new VeilError('ERR_SIMULATION_KEY_INVALID', `${rootKeyPath} is not a valid P-256 secret key`);
  }
  const sealKey = await readSecretHex(sealKeyPath, 32);
  const rootPublicKey = p256.getPublicKey(rootSecretKey, false);
  // The public file is derived data: (re)write it whenever it is missing or stale.
  const exported = exportSimulationRoot(rootPublicKey);
  const current = await readFile(rootPublicPath, 'utf8').catch(() => '');
  if (current !== exported) await writeFile(rootPublicPath, exported, { mode: 0o644 });
  return { rootSecretKey, rootPublicKey, sealKey, rootPublicPath };
}

function ignoreExists(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
}
