// `veil provision`: the boot-time secret agent. Listens on a unix socket and hands the secret only
// to an enclave service whose fresh evidence verifies against the expected measurement.
import type { Command } from 'commander';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { agentPublicKeyOf, generateAgentKey, startProvisionAgent } from '@veil/identity/provision-agent';
import { action, UsageError } from '../lib/run.ts';
import { collect, trustOptions, warnSimulation, type TrustFlags } from '../lib/enclave-verify.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Reads (or creates, mode 0600) the agent's Ed25519 secret key file (hex) and announces its public key. */
function loadAgentKey(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--agent-key: cannot read ${path}`);
    text = hex(generateAgentKey().secretKey);
    writeFileSync(path, `${text}\n`, { mode: 0o600, flag: 'wx' });
  }
  if ((statSync(path).mode & 0o077) !== 0) throw new UsageError(`--agent-key: ${path} is readable by group or others; chmod 600 it`);
  if (!/^[0-9a-f]{64}$/.test(text)) throw new UsageError(`--agent-key: ${path} must hold 32 bytes of lowercase hex`);
  const sk = Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));
  process.stderr.write(`veil: provisioning agent public key ${hex(agentPublicKeyOf(sk))}\n`);
  return sk;
}

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
    .option('--agent-key <file>', 'Ed25519 key that signs every secret (created, mode 0600, if missing); pin its public key in the service (--provision-agent-key / the manifest)')
    .option('--once', 'exit after the first successful provisioning')
    .action(
      action(async (f: TrustFlags & { socket: string; secretFile: string; once?: boolean; agentKey?: string }) => {
        const opts = trustOptions(f);
        const agentSecretKey = f.agentKey ? loadAgentKey(f.agentKey) : undefined;
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
          agentSecretKey,
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
