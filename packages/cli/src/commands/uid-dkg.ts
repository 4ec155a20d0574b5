// `veil uid dkg …`: a distributed key generation for the UID nodes, file-based (operators carry
// the files): plan → join → deal → check → finish. Each node-side step runs with the node's own
// producer and data dir (those of its `veil uid serve`), so its evidence signs what it writes and
// its share ends up sealed where `serve --share` takes it. No machine ever holds the key.
import type { Command } from 'commander';
import { access, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCollateral, parseSimulationRoot, verifyQuote } from '@veil/attest';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { createGramineProducer } from '@veil/attest/producers/gramine';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { createDkgPlan, joinDkg, dealDkg, checkDkg, finishDkg, parseDkgPlan, type DkgTrust } from '@veil/uid/dkg';
import { measureUidSources } from '@veil/uid/measure-sources';
import { action, UsageError } from '../lib/run.ts';
import { collect, measurementsFlag } from '../lib/enclave-verify.ts';
import { parseNodesAndThreshold, readText } from '../lib/uid-flags.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_FILE = 1 << 20;
const readLimited = (path: string, flag: string): Promise<string> => readText(path, flag, MAX_FILE);

const readAll = (paths: string[] | undefined, flag: string): Promise<string[]> => Promise.all((paths ?? []).map((p) => readLimited(p, flag)));

/** Refuses an existing --out before any step runs, so a step never half-completes. */
async function freshOut(path: string): Promise<void> {
  const exists = await access(resolve(path)).then(() => true, () => false);
  if (exists) throw new UsageError(`--out: ${resolve(path)} exists (never overwritten)`);
}

async function writeNew(path: string, value: unknown, mode = 0o644): Promise<string> {
  const out = resolve(path);
  try {
    await writeFile(out, `${JSON.stringify(value, null, 2)}\n`, { flag: 'wx', mode });
  } catch (e) {
    throw new UsageError(`--out: cannot create ${out} (${(e as NodeJS.ErrnoException).code ?? 'error'}; never overwritten)`);
  }
  return out;
}

interface NodeFlags {
  plan: string;
  node: string;
  out?: string;
  producer: string;
  gramineRoot?: string;
  data: string;
  measurement?: string;
}

interface TrustFlags {
  expectMeasurement?: string[];
  allowSimulation?: boolean;
  simulationRoot?: string[];
  collateral?: string;
}

type StepFlags = NodeFlags & TrustFlags & { join?: string[]; deal?: string[]; check?: string[]; absent?: string[] };

function nodeOptions(c: Command): Command {
  return c
    .requiredOption('--plan <file>', 'the ceremony plan from `veil uid dkg plan`')
    .requiredOption('--node <name>', "this node's name in the plan")
    .option('--producer <name>', 'gramine (real SGX under Gramine) | simulation (development only, loudly labelled)', 'gramine')
    .option('--gramine-root <dir>', 'Gramine attestation pseudo-fs', '/dev/attestation')
    .option('--data <dir>', "the node's data directory (the same as its `veil uid serve --data`)", 'data/uid')
    .option('--measurement <hex>', 'measurement to report under simulation (default: `veil uid measure`)');
}

function trustOptions(c: Command): Command {
  return c
    .option('--expect-measurement <hex>', 'UID-service measurement every peer must prove (repeatable, required)', collect)
    .option('--allow-simulation', 'also accept SIMULATED peer evidence (development only)')
    .option('--simulation-root <[name=]file>', "a peer's simulation-root.json, for one node (NAME=FILE) or all (FILE); with --allow-simulation (repeatable)", collect)
    .option('--collateral <file>', 'Intel collateral JSON for checking SGX peers (CRLs, TCB status)');
}

async function producerOf(f: NodeFlags): Promise<EvidenceProducer> {
  if (!NAME.test(f.node)) throw new UsageError('--node: expected a node name');
  if (f.producer === 'gramine') {
    if (f.measurement !== undefined) throw new UsageError('--measurement: simulation only');
    return createGramineProducer({ root: f.gramineRoot });
  }
  if (f.producer !== 'simulation') throw new UsageError('--producer: expected gramine or simulation');
  if (f.measurement !== undefined && !/^[0-9a-f]{64}$/.test(f.measurement)) throw new UsageError('--measurement: 32 bytes of lowercase hex');
  process.stderr.write('veil: WARNING: SIMULATED ATTESTATION. This node has no TEE: its ceremony key and share are sealed with a local development key. Never use it with real people.\n');
  return createSimulationProducer({ dataDir: resolve(f.data), measurement: f.measurement ?? (await measureUidSources()) });
}

async function trustOf(f: TrustFlags): Promise<DkgTrust> {
  const measurements = measurementsFlag(f.expectMeasurement, '--expect-measurement', 'peers must prove they run the UID service');
  if (f.simulationRoot && !f.allowSimulation) throw new UsageError('--simulation-root is only used with --allow-simulation');
  if (f.allowSimulation && !f.simulationRoot) throw new UsageError('--allow-simulation needs --simulation-root [NAME=]FILE');
  let simulationRoots: DkgTrust['simulationRoots'];
  for (const spec of f.simulationRoot ?? []) {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})=(.+)$/.exec(spec);
    const key = parseSimulationRoot(await readLimited(m ? m[2]! : spec, '--simulation-root'));
    if (!m) {
      if (simulationRoots !== undefined) throw new UsageError('--simulation-root: one FILE for all nodes, or NAME=FILE per node, not both');
      simulationRoots = key;
    } else {
      if (simulationRoots instanceof Uint8Array) throw new UsageError('--simulation-root: one FILE for all nodes, or NAME=FILE per node, not both');
      simulationRoots = { ...simulationRoots, [m[1]!]: key };
    }
  }
  if (f.allowSimulation) process.stderr.write('veil: WARNING: accepting SIMULATED peer evidence, which proves nothing. Development only.\n');
  const collateral = f.collateral ? parseCollateral(await readLimited(f.collateral, '--collateral')) : undefined;
  return {
    measurements,
    allowSimulation: f.allowSimulation === true,
    simulationRoots,
    verifySgxQuote: (quote, policy) => verifyQuote(quote, { ...policy, at: new Date(), expectTee: 'sgx', ...(collateral ? { collateral } : {}) }),
  };
}

async function nodeOf(f: NodeFlags) {
  await freshOut(f.out!);
  return { node: f.node, producer: await producerOf(f), dataDir: resolve(f.data) };
}

/** --absent names must be other nodes of the plan, each once (the library would throw a TypeError). */
function absentOf(planText: string, f: StepFlags): string[] {
  const plan = parseDkgPlan(planText);
  const absent = f.absent ?? [];
  for (const name of absent) {
    if (!plan.nodes.some((n) => n.name === name)) throw new UsageError(`--absent: "${name}" is not a node of the plan`);
    if (name === f.node) throw new UsageError(`--absent: "${name}" is this node (--node)`);
  }
  if (new Set(absent).size !== absent.length) throw new UsageError('--absent: a node is named twice');
  return absent;
}

const print = (v: unknown): void => void process.stdout.write(`${JSON.stringify(v)}\n`);

/** Registers `uid dkg` under the `uid` command. */
export function registerDkg(uid: Command): void {
  const dkg = uid.command('dkg').description('distributed key generation: plan → join → deal → check → finish; no machine ever holds the VOPRF key');

  dkg
    .command('plan')
    .description('start a ceremony: a random ceremony id, the threshold and the nodes in index order; prints {plan, ceremony}')
    .requiredOption('--threshold <t>', 'partials needed')
    .option('--node <name=url>', 'a node and the URL the identity service reaches it at (repeatable, in index order)', collect)
    .requiredOption('--out <file>', 'plan file to write')
    .action(
      action(async (f: { threshold: string; node?: string[]; out: string }) => {
        const { nodes, threshold: t } = parseNodesAndThreshold(f.node, f.threshold);
        await freshOut(f.out);
        const plan = createDkgPlan({ threshold: t, nodes });
        print({ plan: await writeNew(f.out, plan), ceremony: plan.ceremony });
      }),
    );

  nodeOptions(dkg.command('join'))
    .description("node step 1: make this node's ceremony HPKE key (sealed in --data) and write its attested join file; prints {join, hpkePublicKey}")
    .requiredOption('--out <file>', 'join file to write')
    .action(
      action(async (f: NodeFlags) => {
        const plan = await readLimited(f.plan, '--plan');
        const join = await joinDkg(plan, await nodeOf(f));
        print({ join: await writeNew(f.out!, join), hpkePublicKey: join.hpkePublicKey });
      }),
    );

  trustOptions(nodeOptions(dkg.command('deal')))
    .description("node step 2: verify every node's join file, deal a random polynomial, write the attested deal file; prints {deal}")
    .option('--join <file>', "every node's join file (repeatable)", collect)
    .requiredOption('--out <file>', 'deal file to write')
    .action(
      action(async (f: StepFlags) => {
        const deal = await dealDkg(await readLimited(f.plan, '--plan'), await readAll(f.join, '--join'), await nodeOf(f), await trustOf(f));
        print({ deal: await writeNew(f.out!, deal) });
      }),
    );

  trustOptions(nodeOptions(dkg.command('check')))
    .description("node step 3: verify the deal files and this node's share of each; write the attested check file (complaints name dealers); prints {check, complaints}")
    .option('--join <file>', "every node's join file (repeatable)", collect)
    .option('--deal <file>', 'the deal files (repeatable)', collect)
    .requiredOption('--out <file>', 'check file to write')
    .action(
      action(async (f: StepFlags) => {
        const check = await checkDkg(await readLimited(f.plan, '--plan'), await readAll(f.join, '--join'), await readAll(f.deal, '--deal'), await nodeOf(f), await trustOf(f));
        print({ check: await writeNew(f.out!, check), complaints: check.complaints });
      }),
    );

  trustOptions(nodeOptions(dkg.command('finish')))
    .description('node step 4: from every check file, compute the qualified dealers and this node\'s share (sealed into --data) and write the group file; prints {share, group, groupPublicKey, absent, qualified, disqualified}')
    .option('--join <file>', "every node's join file (repeatable)", collect)
    .option('--deal <file>', 'the deal files (repeatable)', collect)
    .option('--check <file>', "the check file of every node not --absent (repeatable)", collect)
    .option('--absent <name>', 'a plan node that vanished after joining: no check file needed, its deal left out, no place in the group; every finishing node must name the same ones (repeatable)', collect)
    .requiredOption('--out <file>', 'group file to write (public; the same at every node)')
    .action(
      action(async (f: StepFlags) => {
        const plan = await readLimited(f.plan, '--plan');
        const absent = absentOf(plan, f);
        const r = await finishDkg(plan, await readAll(f.join, '--join'), await readAll(f.deal, '--deal'), await readAll(f.check, '--check'), await nodeOf(f), await trustOf(f), { absent });
        // The absent list goes next to the group key: the operators compare both.
        print({ share: r.sharePath, group: await writeNew(f.out!, r.group), groupPublicKey: r.group.groupPublicKey, absent: r.absent, qualified: r.qualified, disqualified: r.disqualified });
      }),
    );
}
