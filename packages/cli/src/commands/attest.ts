// `veil attest …`: attestation evidence commands. Subcommands are registered one per function
// below so the group can grow (measure, verify-url) without touching the others.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  parseSimulationRoot,
  verifySimulationEvidence,
  decodeEvidence,
  parseCollateral,
  verifyNitroDocument,
  verifyQuote,
  verifySevReport,
  type AttestationFacts,
  type AttestationPolicy,
  type TcbStatus,
} from '@veil/attest';
import { DEFAULT_TCB_STATUSES } from '@veil/attest/policy';
import { action, UsageError } from '../lib/run.ts';
import { registerMeasure, registerVerifyUrl } from '../lib/attest-service.ts';
import { warnSimulation } from '../lib/enclave-verify.ts';

interface VerifyFlags {
  type?: string;
  collateral?: string;
  certs?: string;
  at?: string;
  expectMeasurement?: string[];
  allowDebug?: boolean;
  reportData?: string;
  tcbStatus?: string;
  requireTcb?: boolean;
  allowSimulation?: boolean;
  simulationRoot?: string;
}

type Verifier = (evidence: Uint8Array, policy: AttestationPolicy & { at: Date }, flags: VerifyFlags) => Promise<AttestationFacts>;

function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

const text = (path: string, what: string) => new TextDecoder().decode(readInput(path, what));

/** One verifier per `--type`; each reads its own side files. */
const VERIFIERS: Record<string, Verifier> = {
  sgx: (ev, policy, f) =>
    verifyQuote(ev, { ...policy, expectTee: 'sgx', collateral: f.collateral ? parseCollateral(text(f.collateral, '--collateral')) : undefined }),
  tdx: (ev, policy, f) =>
    verifyQuote(ev, { ...policy, expectTee: 'tdx', collateral: f.collateral ? parseCollateral(text(f.collateral, '--collateral')) : undefined }),
  nitro: (ev, policy) => verifyNitroDocument(ev, policy),
  sev: (ev, policy, f) => {
    if (!f.collateral) throw new UsageError('--type sev needs --collateral VCEK (DER or PEM; PEM may also hold ASK and ARK)');
    return verifySevReport(ev, {
      ...policy,
      vcek: readInput(f.collateral, '--collateral'),
      certChain: f.certs ? text(f.certs, '--certs') : undefined,
    });
  },
  // Development evidence from the simulation producer: refused unless explicitly allowed with a root.
  simulation: async (ev, policy, f) => {
    warnSimulation();
    if (f.allowSimulation && !f.simulationRoot) throw new UsageError('--allow-simulation needs --simulation-root FILE');
    const simulationRoot = f.simulationRoot ? parseSimulationRoot(text(f.simulationRoot, '--simulation-root')) : undefined;
    return verifySimulationEvidence(ev, { ...policy, allowSimulation: f.allowSimulation === true, simulationRoot });
  },
};

function hexFlag(v: string, flag: string): string {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(v)) throw new UsageError(`${flag}: expected an even-length hex string`);
  return v.toLowerCase();
}

function policyFrom(f: VerifyFlags): AttestationPolicy & { at: Date } {
  const at = f.at === undefined ? new Date() : new Date(f.at);
  if (Number.isNaN(at.getTime())) throw new UsageError('--at: expected an ISO 8601 time');
  const tcbStatuses = f.tcbStatus?.split(',').map((s) => s.trim()) as TcbStatus[] | undefined;
  const known: readonly string[] = [...DEFAULT_TCB_STATUSES, 'OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked'];
  if (tcbStatuses?.some((s) => !known.includes(s))) throw new UsageError(`--tcb-status: expected a comma-separated subset of ${known.join(', ')}`);
  return {
    at,
    allowDebug: f.allowDebug === true,
    ...(f.expectMeasurement?.length ? { measurements: f.expectMeasurement.map((m) => hexFlag(m, '--expect-measurement')) } : {}),
    ...(f.reportData !== undefined ? { reportData: hexFlag(f.reportData, '--report-data') } : {}),
    ...(tcbStatuses ? { tcbStatuses } : {}),
    ...(f.requireTcb ? { requireTcb: true } : {}),
  };
}

function registerVerify(attest: Command): void {
  attest
    .command('verify')
    .description(
      'Verify TEE evidence and print its facts as JSON (exit 0 valid and policy holds, 1 invalid, 2 usage). ' +
        'FILE may be raw binary, hex, base64, or a JSON response with a base64 "attestationReport".',
    )
    .argument('<file>', 'evidence file')
    .requiredOption('--type <type>', `evidence type: ${Object.keys(VERIFIERS).join('|')}`)
    .option('--collateral <file>', 'sgx/tdx: Intel collateral JSON (dcap-qvl shape); sev: the VCEK (DER or PEM)')
    .option('--certs <file>', 'sev: ASK/ARK chain (PEM), e.g. AMD KDS cert_chain')
    .option('--at <iso-time>', 'verification time for certificates and collateral (default: now)')
    .option('--expect-measurement <hex>', 'allowed measurement (MRENCLAVE / MRTD / PCR0 / SNP MEASUREMENT); repeatable', (v: string, acc: string[] = []) => [...acc, v])
    .option('--allow-debug', 'accept evidence from debug-mode TEEs')
    .option('--report-data <hex>', 'required report_data binding (Nitro: user_data); a shorter value must be followed by zero bytes')
    .option('--tcb-status <list>', `allowed TCB statuses with collateral (default ${DEFAULT_TCB_STATUSES.join(',')})`)
    .option('--require-tcb', 'fail unless collateral was checked')
    .option('--allow-simulation', 'simulation: accept SIMULATED evidence (development only; needs --simulation-root)')
    .option('--simulation-root <file>', 'simulation: simulation-root.json of the one install to trust')
    .action(
      action(async (file: string, flags: VerifyFlags) => {
        const verify = VERIFIERS[flags.type ?? ''];
        if (!verify) throw new UsageError(`--type: expected one of ${Object.keys(VERIFIERS).join(', ')}`);
        const policy = policyFrom(flags);
        const evidence = decodeEvidence(readInput(file, 'FILE'));
        const facts = await verify(evidence, policy, flags);
        process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
      }),
    );
}

/** Registers the `attest` command group. */
export function register(program: Command): void {
  const attest = program.command('attest').description('TEE attestation evidence');
  registerVerify(attest);
  registerMeasure(attest);
  registerVerifyUrl(attest);
}
