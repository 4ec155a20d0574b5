// Shared by `veil attest verify-url` and `veil provision`: turns the trust flags into options for
// verifyEnclaveEvidence, and owns the loud simulation warning.
import { readFileSync } from 'node:fs';
import { parseCollateral, parseSimulationRoot, verifyQuote } from '@veil/attest';
import type { SgxQuoteVerifier } from '@veil/identity';
import { UsageError } from './run.ts';

export interface TrustFlags {
  expectMeasurement?: string[];
  allowSimulation?: boolean;
  simulationRoot?: string;
  allowDebug?: boolean;
  collateral?: string;
  at?: string;
}

/** Printed to stderr whenever simulation evidence is in play. */
export const SIMULATION_CLI_WARNING =
  'veil: WARNING: SIMULATED ATTESTATION in play. Simulation evidence is signed by a local development key and ' +
  'proves NOTHING about TEE isolation. Never trust it with real secrets or personal data.\n';

export function warnSimulation(): void {
  process.stderr.write(SIMULATION_CLI_WARNING);
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Commander collector for repeatable flags. */
export const collect = (v: string, acc: string[] = []): string[] => [...acc, v];

/** A repeatable measurement flag's values: 32 bytes of hex each (lowercased), at least one. */
export function measurementsFlag(values: readonly string[] | undefined, flag: string, whyRequired?: string): string[] {
  const out = (values ?? []).map((m) => {
    if (!/^[0-9a-fA-F]{64}$/.test(m)) throw new UsageError(`${flag}: expected 32 bytes of hex`);
    return m.toLowerCase();
  });
  if (out.length === 0) throw new UsageError(`${flag} is required${whyRequired ? `: ${whyRequired}` : ''}`);
  return out;
}

/** Validates the trust flags (usage errors → exit 2) and builds the verifier options. */
export function trustOptions(f: TrustFlags): {
  measurements: string[];
  allowSimulation: boolean;
  simulationRoot?: Uint8Array;
  allowDebug: boolean;
  verifySgxQuote: SgxQuoteVerifier;
} {
  const measurements = measurementsFlag(f.expectMeasurement, '--expect-measurement');
  if (f.simulationRoot && !f.allowSimulation) throw new UsageError('--simulation-root is only used with --allow-simulation');
  if (f.allowSimulation && !f.simulationRoot) throw new UsageError('--allow-simulation needs --simulation-root FILE (the simulation-root.json of the install to trust)');
  const simulationRoot = f.allowSimulation ? parseSimulationRoot(readText(f.simulationRoot!, '--simulation-root')) : undefined;
  const at = f.at === undefined ? undefined : new Date(f.at);
  if (at && Number.isNaN(at.getTime())) throw new UsageError('--at: expected an ISO 8601 time');
  const collateral = f.collateral ? parseCollateral(readText(f.collateral, '--collateral')) : undefined;
  const verifySgxQuote: SgxQuoteVerifier = (quote, policy) =>
    verifyQuote(quote, { ...policy, at: at ?? new Date(), expectTee: 'sgx', ...(collateral ? { collateral } : {}) });
  return { measurements, allowSimulation: f.allowSimulation === true, simulationRoot, allowDebug: f.allowDebug === true, verifySgxQuote };
}
