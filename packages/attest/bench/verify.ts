/**
 * `npm run bench:attest`: median wall time of one full verification (parse, chain, signatures,
 * policy; with collateral also CRLs and TCB evaluation) per evidence type, on the shared vectors,
 * and the process CPU time per verification (all threads, WebCrypto's included), which a loaded
 * machine disturbs far less than wall time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCollateral, verifyNitroDocument, verifyQuote, verifySevReport } from '../src/index.ts';

const V = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'shared', 'vectors');
const bin = (p: string) => new Uint8Array(readFileSync(join(V, p)));
const txt = (p: string) => readFileSync(join(V, p), 'utf8');
const RUNS = 50;

async function median(name: string, fn: () => Promise<unknown>) {
  for (let i = 0; i < 5; i++) await fn();
  const t: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  const used = process.cpuUsage(cpu);
  t.sort((a, b) => a - b);
  const cpuMs = (used.user + used.system) / 1000 / RUNS;
  console.log(`${name.padEnd(34)} ${t[RUNS >> 1]!.toFixed(2)} ms (median of ${RUNS}), CPU ${cpuMs.toFixed(2)} ms`);
}

const at = new Date('2025-07-01T00:00:00Z');
const sgx = bin('sgx/dcap-qvl_sgx_quote.bin');
const tdx = bin('tdx/dcap-qvl_tdx_quote.bin');
const sgxCol = parseCollateral(txt('sgx/dcap-qvl_sgx_quote_collateral.json'));
const tdxCol = parseCollateral(txt('tdx/dcap-qvl_tdx_quote_collateral.json'));
await median('SGX v3 quote', () => verifyQuote(sgx, { at }));
await median('SGX v3 quote + collateral', () => verifyQuote(sgx, { at, collateral: sgxCol }));
await median('TDX v4 quote + collateral', () => verifyQuote(tdx, { at, collateral: tdxCol }));
const nitro = bin('nitro/nitrite_nitro_attestation.cose');
await median('Nitro document', () => verifyNitroDocument(nitro, { at: new Date('2024-09-07T14:37:39.545Z') }));
const sev = bin('sev/teekit_sev-gcp.bin');
const vcek = txt('sev/teekit_sev-gcp-vcek.pem');
const chain = txt('sev/teekit_sev-gcp-cert-chain.pem');
await median('SEV-SNP report (RSA-4096 chain)', () => verifySevReport(sev, { at: new Date('2026-01-01'), vcek, certChain: chain }));
