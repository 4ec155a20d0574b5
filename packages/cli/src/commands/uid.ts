// `veil uid …`: the UID service (VOPRF, threshold shares). `keygen` deals t-of-n shares (trusted
// dealer), `dkg …` makes them without one (uid-dkg.ts), `serve` runs one node, `measure` prints the
// simulation measurement to pin.
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCollateral, parseSimulationRoot, verifyQuote } from '@veil/attest';
import { generateShares, groupFile } from '@veil/uid/generate-shares';
import { measureUidSources } from '@veil/uid/measure-sources';
import { runUidService } from '@veil/uid/uid-service';
import type { TrustPolicy } from '@veil/uid/verify-evidence';
import { action, UsageError } from '../lib/run.ts';
import { collect, measurementsFlag } from '../lib/enclave-verify.ts';
import { parseNodesAndThreshold, readText } from '../lib/uid-flags.ts';
import { registerDkg } from './uid-dkg.ts';


interface KeygenFlags {
  threshold: string;
  node?: string[];
  out: string;
}

interface ServeFlags {
  share?: string;
  port: string;
  host: string;
  producer: string;
  gramineRoot?: string;
  data: string;
  node: string;
  measurement?: string;
  callerMeasurement?: string[];
  allowSimulation?: boolean;
  simulationRoot?: string;
  collateral?: string;
}

/** Registers the `uid` command group. */
export function register(program: Command): void {
  const uid = program.command('uid').description('The UID service: RFC 9497 VOPRF evaluation with threshold key shares, for attested identity services only');

  uid
    .command('keygen')
    .description('deal a t-of-n VOPRF key: writes DIR/<node>.share.json (plaintext, 0600) and DIR/group.json; prints {group, shares, groupPublicKey}')
    .requiredOption('--threshold <t>', 'partials needed (1 = single key)')
    .option('--node <name=url>', 'a node and the URL the identity service reaches it at (repeatable, in index order)', collect)
    .requiredOption('--out <dir>', 'output directory')
    .action(
      action(async (f: KeygenFlags) => {
        const { nodes, threshold: t } = parseNodesAndThreshold(f.node, f.threshold);
        let gen;
        try {
          gen = generateShares({ threshold: t, nodes: nodes.map((n) => n.name) });
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const out = resolve(f.out);
        await mkdir(out, { recursive: true, mode: 0o700 });
        const shares: string[] = [];
        for (const s of gen.shares) {
          const path = join(out, `${s.node}.share.json`);
          await writeFile(path, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
          shares.push(path);
        }
        const group = join(out, 'group.json');
        await writeFile(group, `${JSON.stringify(groupFile(gen, Object.fromEntries(nodes.map((n) => [n.name, n.url]))), null, 2)}\n`, { flag: 'wx' });
        process.stdout.write(`${JSON.stringify({ group, shares, groupPublicKey: gen.groupPublicKey })}\n`);
      }),
    );

  registerDkg(uid);

  uid
    .command('measure')
    .description('print the measurement a UID node reports under simulation (hash of the @veil/uid sources)')
    .action(
      action(async () => {
        process.stdout.write(`${await measureUidSources()}\n`);
      }),
    );

  uid
    .command('serve')
    .description('run one UID node (prints {url, node, index, threshold, publicShare, groupPublicKey, measurement, …} as one JSON line)')
    .option('--share <file>', 'share file from `veil uid keygen` (plaintext: sealed into --data on first start) or its sealed copy; without it: single-key mode, key sealed in --data')
    .option('--port <n>', 'TCP port (0 = any free port)', '8091')
    .option('--host <addr>', 'listen address', '127.0.0.1')
    .option('--producer <name>', 'gramine (real SGX under Gramine) | simulation (development only, loudly labelled)', 'gramine')
    .option('--gramine-root <dir>', 'Gramine attestation pseudo-fs', '/dev/attestation')
    .option('--data <dir>', 'data directory (sealed share; simulation install)', 'data/uid')
    .option('--node <name>', 'node name in single-key mode', 'uid')
    .option('--measurement <hex>', 'measurement to report under simulation (default: `veil uid measure`)')
    .option('--caller-measurement <hex>', 'identity-service measurement allowed to ask for evaluations (repeatable, required)', collect)
    .option('--allow-simulation', 'also accept SIMULATED identity-service evidence (development only)')
    .option('--simulation-root <file>', "the identity service's simulation-root.json (with --allow-simulation)")
    .option('--collateral <file>', 'Intel collateral JSON for checking SGX callers (CRLs, TCB status)')
    .action(
      action(async (f: ServeFlags) => {
        const port = Number(f.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port: expected 0..65535');
        if (f.producer !== 'gramine' && f.producer !== 'simulation') throw new UsageError('--producer: expected gramine or simulation');
        const measurements = measurementsFlag(f.callerMeasurement, '--caller-measurement', 'a UID node evaluates only for identity services it can verify');
        if (f.simulationRoot && !f.allowSimulation) throw new UsageError('--simulation-root is only used with --allow-simulation');
        if (f.allowSimulation && !f.simulationRoot) throw new UsageError('--allow-simulation needs --simulation-root FILE (the identity service install to trust)');
        if (f.measurement !== undefined && (f.producer !== 'simulation' || !/^[0-9a-f]{64}$/.test(f.measurement))) throw new UsageError('--measurement: 32 bytes of lowercase hex, simulation only');
        const collateral = f.collateral ? parseCollateral(await readText(f.collateral, '--collateral')) : undefined;
        const callers: TrustPolicy = {
          measurements,
          allowSimulation: f.allowSimulation === true,
          simulationRoot: f.allowSimulation ? parseSimulationRoot(await readText(f.simulationRoot!, '--simulation-root')) : undefined,
          verifySgxQuote: (quote, policy) => verifyQuote(quote, { ...policy, at: new Date(), expectTee: 'sgx', ...(collateral ? { collateral } : {}) }),
        };
        if (callers.allowSimulation) process.stderr.write('veil: WARNING: this UID node accepts SIMULATED identity-service evidence, which proves nothing. Development only.\n');
        const svc = await runUidService({
          producer: f.producer,
          dataDir: resolve(f.data),
          gramineRoot: f.gramineRoot,
          measurement: f.producer === 'simulation' ? (f.measurement ?? (await measureUidSources())) : undefined,
          sharePath: f.share ? resolve(f.share) : undefined,
          node: f.node,
          callers,
          port,
          host: f.host,
          warn: (m) => process.stderr.write(`veil: ${m}\n`),
        });
        process.stdout.write(
          `${JSON.stringify({
            url: svc.url,
            node: svc.node,
            index: svc.index,
            threshold: svc.threshold,
            publicShare: svc.publicShare,
            groupPublicKey: svc.groupPublicKey,
            type: svc.type,
            measurement: svc.measurement,
            simulated: svc.simulated,
            share: svc.sealedSharePath,
            ...(svc.simulationRootPath ? { simulationRoot: svc.simulationRootPath } : {}),
          })}\n`,
        );
        await new Promise<void>((done) => {
          const stop = () => void svc.close().then(done);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }),
    );
}
