// Locates the shared attestation vectors (../shared/vectors relative to the repository root) from
// this file's own path, so tests work from any working directory. A missing directory fails loudly.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUOTE_FACTS } from './manifest-facts.ts';

function findVectors(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i++) {
    const candidate = join(dir, '..', 'shared', 'vectors');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'MANIFEST.md'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('attestation vectors not found: expected ../shared/vectors next to the repository root');
}

export const VECTORS = findVectors();

/** Bytes of a vector file as a plain Uint8Array (not a Buffer, as a browser would have). */
export function vec(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(VECTORS, path)));
}

export function vecText(path: string): string {
  return readFileSync(join(VECTORS, path), 'utf8');
}

export const vecPath = (path: string): string => join(VECTORS, path);

/** Verification times as the MANIFEST lists them (2025-09-01 for the teekit set). */
const QUOTE_TIMES: Record<string, string> = {
  'sgx/oe-remote-report-debug_zkportal-report-verification.bin': '2025-07-01T00:00:00Z',
  'sgx/aleo-oracle_weather_oe-remote-report.bin': '2024-03-06T13:00:29Z',
  'sgx/dcap-qvl_sgx_quote.bin': '2025-07-01T00:00:00Z',
  'tdx/dcap-qvl_tdx_quote.bin': '2025-07-01T00:00:00Z',
};
export const quoteTime = (f: string): Date => new Date(QUOTE_TIMES[f] ?? '2025-09-01T00:00:00Z');

/** Every quote chained to the real Intel root (all but the synthetic set). */
export const REAL_QUOTES = Object.keys(QUOTE_FACTS).filter((f) => QUOTE_FACTS[f as keyof typeof QUOTE_FACTS].realRoot);

export const NITRO_TIMES: Record<string, string> = {
  'nitro/aleo-oracle_btc_usdc_nitro-attestation.cose': '2024-08-30T08:53:48.632Z',
  'nitro/nitrite_nitro_attestation.cose': '2024-09-07T14:37:39.545Z',
  'nitro/nitrite_nitro_attestation_debug.cose': '2024-09-07T14:38:06.508Z',
};

/** SNP reports with their VCEK and ASK/ARK chain. */
export const SEV_CASES = [
  { report: 'sev/virtee_report_milan.hex', vcek: 'sev/virtee_vcek_milan.der', chain: 'sev/virtee_cert_chain_milan.pem', at: '2026-01-01T00:00:00Z' },
  { report: 'sev/teekit_sev-gcp.bin', vcek: 'sev/teekit_sev-gcp-vcek.pem', chain: 'sev/teekit_sev-gcp-cert-chain.pem', at: '2026-01-01T00:00:00Z' },
  { report: 'sev/teekit_sev-gcp-reportdata.bin', vcek: 'sev/teekit_sev-gcp-vcek.pem', chain: 'sev/teekit_sev-gcp-cert-chain.pem', at: '2026-01-01T00:00:00Z' },
] as const;
