// `veil enclave serve`: runs the enclave service (later home of the identity service) under the
// Gramine producer or, for development, the loudly labelled simulation producer.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { startEnclaveService } from '@veil/identity/start-enclave-service';
import { action, UsageError } from '../lib/run.ts';

interface ServeFlags {
  port: string;
  host: string;
  producer: string;
  gramineRoot?: string;
  data: string;
  provisionSocket?: string;
  provisionAgentKey?: string;
}

/** Registers the `enclave` command group. */
export function register(program: Command): void {
  const enclave = program.command('enclave').description('The attested enclave service');
  enclave
    .command('serve')
    .description('Run the enclave service: GET /attestation/evidence?challenge=HEX (prints {url, measurement, …} as one JSON line)')
    .option('--port <n>', 'TCP port (0 = any free port)', '8090')
    .option('--host <addr>', 'listen address', '127.0.0.1')
    .option('--producer <name>', 'gramine (real SGX under Gramine) | simulation (development only, loudly labelled)', 'gramine')
    .option('--gramine-root <dir>', 'Gramine attestation pseudo-fs', '/dev/attestation')
    .option('--data <dir>', 'data directory (simulation root and sealing key)', 'data/enclave')
    .option('--provision-agent-key <hex>', 'accept a provisioned secret only when signed by this agent key (Ed25519 public key, hex)')
    .option('--provision-socket <path>', 'fetch the boot-time secret from `veil provision` on this unix socket (or tcp://HOST:PORT) first')
    .action(
      action(async (f: ServeFlags) => {
        const port = Number(f.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port: expected 0..65535');
        if (f.producer !== 'gramine' && f.producer !== 'simulation') throw new UsageError('--producer: expected gramine or simulation');
        if (f.provisionAgentKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(f.provisionAgentKey)) throw new UsageError('--provision-agent-key: expected 32 bytes of hex');
        const svc = await startEnclaveService({
          producer: f.producer,
          port,
          host: f.host,
          gramineRoot: f.gramineRoot,
          dataDir: resolve(f.data),
          provisionSocket: f.provisionSocket,
          provisionAgentKey: f.provisionAgentKey,
          warn: (m) => process.stderr.write(`veil: ${m}\n`),
        });
        process.stdout.write(
          `${JSON.stringify({
            url: svc.url,
            type: svc.type,
            measurement: svc.measurement,
            simulated: svc.simulated,
            channelPublicKey: svc.channelPublicKey,
            ...(svc.simulationRootPath ? { simulationRoot: svc.simulationRootPath } : {}),
            ...(svc.secret ? { provisioned: true } : {}),
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
