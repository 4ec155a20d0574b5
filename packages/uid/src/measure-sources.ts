/**
 * The measurement the UID service reports under SIMULATION: SHA-256 over this package's sources,
 *   "veil-uid/sources/v1" ‖ 0x00 ‖ for each file of src/ in sorted order: path ‖ 0x00 ‖ u32be(len) ‖ bytes,
 * so a change to the service's code changes its measurement and its sealed key cannot be unsealed
 * by another build. It is a development stand-in: it does not cover node_modules or Node itself.
 * Under SGX the measurement is MRENCLAVE of gramine/veil-uid.manifest.template, which pins the
 * reproducible bundle (build-uid-enclave.ts); that bundle reports its own hash under simulation.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '@veil/crypto/bytes';

const SRC = fileURLToPath(new URL('.', import.meta.url));

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

let cached: Promise<string> | undefined;

/**
 * Computes the simulation measurement of the UID service (lowercase hex, 32 bytes), once per
 * process (the sources do not change under a running process).
 *
 * @example
 * import { measureUidSources } from '@veil/uid/measure-sources';
 * const measurement = await measureUidSources();
 * @throws errors of the file system.
 */
export function measureUidSources(): Promise<string> {
  cached ??= measure();
  return cached;
}

async function measure(): Promise<string> {
  const enc = new TextEncoder();
  const files = (await walk(SRC)).map((p) => relative(SRC, p).split('\\').join('/')).sort();
  const h = sha256.create().update(enc.encode('veil-uid/sources/v1\0'));
  for (const f of files) {
    const bytes = new Uint8Array(await readFile(join(SRC, f)));
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length);
    h.update(enc.encode(`${f}\0`)).update(len).update(bytes);
  }
  return toHex(h.digest());
}
