// `veil attest measure` and `veil attest verify-url`: the producer-side half of the attest group,
// registered from commands/attest.ts.
import type { Command } from 'commander';
import { VeilError } from '@veil/crypto';
import { verifyEnclaveEvidence } from '@veil/identity';
import { measureEnclave } from '@veil/identity/build-enclave';
import { action, UsageError } from './run.ts';
import { collect, trustOptions, warnSimulation, type TrustFlags } from './enclave-verify.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** `veil attest measure`: the reproducible enclave measurement (same as `npm run build:enclave`). */
export function registerMeasure(attest: Command): void {
  attest
    .command('measure')
    .description('Print the enclave measurement: SHA-256 of the reproducible enclave bundle (what npm run build:enclave prints)')
    .action(
      action(async () => {
        process.stdout.write(`${await measureEnclave()}\n`);
      }),
    );
}

/** `veil attest verify-url URL --expect-measurement HEX`: checks a running enclave service. */
export function registerVerifyUrl(attest: Command): void {
  attest
    .command('verify-url')
    .description(
      'Fetch evidence from a running enclave service, bound to a fresh challenge and its channel key, and verify it ' +
        '(JSON facts on stdout; exit 0 valid, 1 invalid or unreachable, 2 usage)',
    )
    .argument('<url>', 'base URL of the enclave service, e.g. http://127.0.0.1:8090')
    .option('--expect-measurement <hex>', 'allowed measurement (MRENCLAVE, or the build hash in simulation); repeatable, required', collect)
    .option('--allow-simulation', 'accept SIMULATED evidence (development only; needs --simulation-root)')
    .option('--simulation-root <file>', 'simulation-root.json of the one install whose simulation evidence to accept')
    .option('--allow-debug', 'accept debug-mode enclaves')
    .option('--collateral <file>', 'Intel collateral JSON for SGX evidence (enables TCB status and CRL checks)')
    .option('--at <iso-time>', 'verification time for SGX certificates and collateral (default: now)')
    .option('--timeout <ms>', 'HTTP timeout in milliseconds', '10000')
    .action(
      action(async (url: string, flags: TrustFlags & { timeout: string }) => {
        const opts = trustOptions(flags);
        let base: URL;
        try {
          base = new URL(url);
        } catch {
          throw new UsageError('URL: expected an absolute http(s) URL');
        }
        if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError('URL: expected http or https');
        const timeout = Number(flags.timeout);
        if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError('--timeout: expected a positive integer');
        const challenge = crypto.getRandomValues(new Uint8Array(32));
        const target = new URL(`${base.pathname.replace(/\/+$/, '')}/attestation/evidence`, base);
        target.searchParams.set('challenge', hex(challenge));
        let res: Response;
        try {
          res = await fetch(target, { signal: AbortSignal.timeout(timeout), redirect: 'error' });
        } catch (cause) {
          throw new VeilError('ERR_EVIDENCE_FETCH', `cannot fetch ${target.href}: ${(cause as Error).message}`, { cause });
        }
        const body = await res.text();
        if (res.status !== 200) throw new VeilError('ERR_EVIDENCE_FETCH', `${target.href} answered HTTP ${res.status}: ${body.slice(0, 200)}`);
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch (cause) {
          throw new VeilError('ERR_EVIDENCE_MALFORMED', 'the service did not answer JSON', { cause });
        }
        if ((json as { type?: unknown } | null)?.type === 'simulation') warnSimulation();
        const v = await verifyEnclaveEvidence(json, { ...opts, purpose: 'evidence', challenge });
        process.stdout.write(
          `${JSON.stringify({ url: base.href, challenge: hex(challenge), channelPublicKey: hex(v.channelPublicKey), simulated: v.simulated, facts: v.facts }, null, 2)}\n`,
        );
      }),
    );
}
