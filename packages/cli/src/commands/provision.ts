// `veil provision`: the boot-time secret agent. Listens on a unix socket and hands the secret only
// to an enclave service whose fresh evidence verifies against the expected measurement.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { startProvisionAgent } from '@veil/identity/provision-agent';
import { action, UsageError } from '../lib/run.ts';
import { collect, trustOptions, warnSimulation, type TrustFlags } from '../lib/enclave-verify.ts';

/** Registers the `provision` command. */
export function register(program: Command): void {
  program
    .command('provision')
    .description('Serve a boot-time secret (database credentials, client certificate) to an attested enclave service over a unix socket')
    .requiredOption('--socket <path>', 'unix socket to listen on (mode 0600), or tcp://HOST:PORT for services that cannot reach host unix sockets (Gramine)')
    .option('--expect-measurement <hex>', 'allowed measurement; repeatable, required', collect)
    .requiredOption('--secret-file <file>', 'the secret to hand over (read once, kept in memory)')
    .option('--allow-simulation', 'accept SIMULATED evidence (development only; needs --simulation-root)')
    .option('--simulation-root <file>', 'simulation-root.json of the one install whose simulation evidence to accept')
    .option('--allow-debug', 'accept debug-mode enclaves')
    .option('--collateral <file>', 'Intel collateral JSON for SGX evidence')
    .option('--at <iso-time>', 'verification time for SGX certificates and collateral (default: now)')
    .option('--once', 'exit after the first successful provisioning')
    .action(
      action(async (f: TrustFlags & { socket: string; secretFile: string; once?: boolean }) => {
        const opts = trustOptions(f);
        let secret: Uint8Array;
        try {
          secret = new Uint8Array(readFileSync(f.secretFile));
        } catch (e) {
          throw new UsageError(`--secret-file: cannot read ${f.secretFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        if (secret.length === 0 || secret.length > 64 * 1024) throw new UsageError('--secret-file: expected 1 byte to 64 KiB');
        if (opts.allowSimulation) warnSimulation();
        const agent = await startProvisionAgent({
          ...opts,
          socketPath: f.socket,
          secret,
          once: f.once === true,
          onEvent: (e) => {
            if (e.kind === 'provisioned') {
              if (e.simulated) warnSimulation();
              process.stderr.write(`veil: provisioned the secret to measurement ${e.measurement}${e.simulated ? ' (SIMULATED)' : ''}\n`);
            } else {
              process.stderr.write(`veil: refused: ${e.code}: ${e.message}\n`);
            }
          },
        });
        process.stderr.write(`veil: provisioning agent listening on ${agent.socketPath}\n`);
        const stop = () => void agent.close();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        await agent.done;
      }),
    );
}
