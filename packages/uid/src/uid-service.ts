/**
 * Runs a UID node: pick the producer, load the key share (sealed to the measurement), listen.
 *
 * Key material, in `dataDir`:
 * - `--share FILE` with a plaintext `share` (fresh from keygen): checked, sealed with
 *   @veil/attest `seal` (purpose "veil-uid/share/v1") and written to
 *   `<dataDir>/<node>.share.sealed.json` (0600); the service says so and asks to delete the
 *   plaintext file. Start later with the sealed file.
 * - `--share FILE` with `sealed`: unsealed; another build (measurement) cannot do it (ERR_UNSEAL).
 * - no share file: single-key mode; the key lives sealed in `<dataDir>/<node>.share.sealed.json`,
 *   generated on first start.
 * The plaintext share exists only in memory while the service runs. Simulation producers print a
 * loud warning (their sealing key is a file in the data dir).
 */
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { createGramineProducer } from '@veil/attest/producers/gramine';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { seal, unseal } from '@veil/attest/seal';
import { VeilError, isVeilError } from '@veil/crypto';
import { buildUidApp, type UidNodeKey } from './app.ts';
import { measureUidSources } from './measure-sources.ts';
import { generateShares } from './generate-shares.ts';
import { writeOnce } from './lib/write-once.ts';
import { checkShare, parseShareFile, type ShareFile } from './share-file.ts';
import type { TrustPolicy } from './verify-evidence.ts';
import { fromBase64, fromHex, toBase64, toHex } from '@veil/crypto/bytes';

/** Printed whenever a UID node runs on the simulation producer. */
export const UID_SIMULATION_WARNING =
  '!!! WARNING: SIMULATED ATTESTATION. This UID node runs WITHOUT a TEE: its key share is sealed with a local ' +
  'development key and its evidence proves nothing. Never use it with real people. !!!';

const SEAL_PURPOSE = 'veil-uid/share/v1';

/** Options of {@link runUidService}. */
export interface UidServiceOptions {
  producer: 'gramine' | 'simulation' | EvidenceProducer;
  /** Data directory: sealed share, and the simulation install. Required. */
  dataDir: string;
  /** The measurement the simulation producer reports. Default: measureUidSources(). */
  measurement?: string;
  gramineRoot?: string;
  /** A share file (plaintext to import, or sealed). Without it: single-key mode. */
  sharePath?: string;
  /** The node's name in single-key mode. Default "uid". */
  node?: string;
  /** Which identity services may ask for evaluations. */
  callers: TrustPolicy;
  port?: number;
  host?: string;
  nonceTtlMs?: number;
  logger?: boolean;
  /** Where warnings go. Default stderr. */
  warn?: (message: string) => void;
}

/** A running UID node. */
export interface UidServiceHandle {
  url: string;
  port: number;
  node: string;
  index: number;
  threshold: number;
  publicShare: string;
  groupPublicKey: string;
  measurement: string;
  type: 'sgx' | 'simulation';
  simulated: boolean;
  simulationRootPath?: string;
  /** The sealed share file the service now uses. */
  sealedSharePath: string;
  close(): Promise<void>;
}

async function makeProducer(o: UidServiceOptions): Promise<EvidenceProducer> {
  if (typeof o.producer === 'object' && o.producer !== null) return o.producer;
  if (o.producer === 'gramine') return createGramineProducer({ root: o.gramineRoot });
  if (o.producer === 'simulation') {
    return createSimulationProducer({ dataDir: o.dataDir, measurement: o.measurement ?? (await measureUidSources()) });
  }
  throw new TypeError('producer must be "gramine", "simulation" or an EvidenceProducer');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function sealShare(file: ShareFile, producer: EvidenceProducer): Promise<ShareFile> {
  const { share, ...rest } = file;
  const blob = await seal(fromHex(share, 32, 'ERR_UID_SHARE_INVALID', 'share'), producer, { purpose: SEAL_PURPOSE });
  return { ...rest, sealed: toBase64(blob) };
}

async function openShare(file: ShareFile, producer: EvidenceProducer): Promise<UidNodeKey> {
  const code = 'ERR_UID_SHARE_INVALID';
  const secretKey = file.share !== undefined
    ? fromHex(file.share, 32, code, 'share')
    : await unseal(fromBase64(file.sealed, 4096, code, 'sealed'), producer, { purpose: SEAL_PURPOSE });
  const publicShare = fromHex(file.publicShares.find((p) => p.name === file.node)!.publicShare, 32, code, 'publicShare');
  if (secretKey.length !== 32) throw new VeilError(code, 'the sealed share is not 32 bytes');
  checkShare(secretKey, publicShare, code);
  return { node: file.node, index: file.index, threshold: file.threshold, secretKey, publicShare, groupPublicKey: fromHex(file.groupPublicKey, 32, code, 'groupPublicKey') };
}

/**
 * Starts a UID node.
 *
 * @example
 * import { runUidService } from '@veil/uid/uid-service';
 * const uid = await runUidService({ producer: 'gramine', dataDir: '/var/lib/veil-uid', sharePath: 'uid-a.share.sealed.json', callers: { measurements: [m], verifySgxQuote } });
 * @throws VeilError ERR_UID_SHARE_INVALID, ERR_UNSEAL and the producer's codes.
 */
export async function runUidService(o: UidServiceOptions): Promise<UidServiceHandle> {
  if (typeof o?.dataDir !== 'string' || o.dataDir === '') throw new TypeError('dataDir is required');
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 });
  const producer = await makeProducer(o);
  const warn = o.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
  if (producer.simulated) warn(UID_SIMULATION_WARNING);

  let sealedSharePath: string;
  if (o.sharePath) {
    const file = parseShareFile(await readFile(o.sharePath, 'utf8'));
    sealedSharePath = o.sharePath;
    if (file.share !== undefined) {
      await openShare(file, producer); // checks the share before anything is written
      sealedSharePath = join(o.dataDir, `${file.node}.share.sealed.json`);
      const existing = await readIfExists(sealedSharePath);
      if (existing === undefined) await writeOnce(sealedSharePath, `${JSON.stringify(await sealShare(file, producer), null, 2)}\n`);
      else if (parseShareFile(existing).publicShares.find((p) => p.name === file.node)?.publicShare !== file.publicShares.find((p) => p.name === file.node)?.publicShare) {
        throw new VeilError('ERR_UID_SHARE_INVALID', `${sealedSharePath} already holds another share; move it away first`);
      }
      warn(`veil uid: the plaintext share from ${o.sharePath} is sealed into ${sealedSharePath}; delete the plaintext file and start with --share ${sealedSharePath}`);
    }
  } else {
    const node = o.node ?? 'uid';
    sealedSharePath = join(o.dataDir, `${node}.share.sealed.json`);
    let text = await readIfExists(sealedSharePath);
    if (text === undefined) {
      const [fresh] = generateShares({ threshold: 1, nodes: [node] }).shares;
      try {
        await writeOnce(sealedSharePath, `${JSON.stringify(await sealShare(fresh!, producer), null, 2)}\n`);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      text = await readFile(sealedSharePath, 'utf8');
    }
    parseShareFile(text);
  }
  // Always serve from the sealed file, so a share that cannot be unsealed is noticed at start.
  const key = await openShare(parseShareFile(await readFile(sealedSharePath, 'utf8')), producer).catch((e: unknown) => {
    throw isVeilError(e) && e.code === 'ERR_UNSEAL' ? new VeilError('ERR_UNSEAL', `${sealedSharePath}: ${e.message}`, { cause: e }) : e;
  });

  const app = await buildUidApp({ producer, key, callers: o.callers, nonceTtlMs: o.nonceTtlMs, logger: o.logger });
  const host = o.host ?? '127.0.0.1';
  await app.listen({ port: o.port ?? 0, host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (o.port ?? 0);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    node: key.node,
    index: key.index,
    threshold: key.threshold,
    publicShare: toHex(key.publicShare),
    groupPublicKey: toHex(key.groupPublicKey),
    measurement: producer.measurement,
    type: producer.type,
    simulated: producer.simulated,
    simulationRootPath: (producer as { rootPublicPath?: string }).rootPublicPath,
    sealedSharePath,
    close: () => app.close(),
  };
}
