// `veil serve [--port N] [--data DIR] [--config FILE]`: the board server, the web app and (in the
// development profile) the dev OIDC issuer and the dev registry (data provider) in one process.
// Defaults: 127.0.0.1:8080, ./data, development profile (dev issuer + dev registry + INSECURE test
// CRS, labelled as such in logs and /api/config).
import type { Command } from 'commander';
import { action, UsageError } from '../lib/run.ts';

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the board server, web app and (development profile) dev OIDC issuer')
    .option('--port <n>', 'port to listen on (env PORT; default 8080; 0 = pick a free one)')
    .option('--data <dir>', 'data directory (default ./data)')
    .option('--config <file>', 'JSON config file (env VEIL_CONFIG)')
    .action(
      action(async (opts: { port?: string; data?: string; config?: string }) => {
        const { freePort, loadConfig, startServer } = await import('@veil/server');
        let port: number | undefined;
        const rawPort = opts.port ?? (process.env.PORT || undefined);
        if (rawPort !== undefined) {
          port = Number(rawPort);
          if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${rawPort}: not a port number`);
          if (port === 0) port = await freePort();
        }
        const config = loadConfig({
          ...(opts.config !== undefined ? { file: opts.config } : {}),
          ...(port !== undefined ? { port } : {}),
          ...(opts.data !== undefined ? { dataDir: opts.data } : {}),
        });
        if (config.profile === 'development') {
          process.stderr.write(
            `veil: DEVELOPMENT profile — dev OIDC issuer (anyone can sign in as anyone), INSECURE test CRS (proofs are forgeable)${
              config.enclave.producer === 'simulation' ? ', SIMULATED attestation' : ''
            }${config.devRegistry?.enabled ? ', dev registry (anyone can get anyone\'s credential)' : ''}. Never expose this.\n`,
          );
        }
        if (config.profile === 'development' && config.enclave.producer === 'simulation' && config.devRegistry?.enabled) {
          // The sealed state of the identity flow startServer runs here (registrar, UID node). Before anything opens the data dir: state sealed by another build cannot be unsealed by this one.
          const { simulationMeasurement } = await import('@veil/identity/start-enclave-service');
          const { measureUidSources } = await import('@veil/uid/measure-sources');
          const { setAsideStaleDevData, describeSetAside } = await import('../lib/stale-dev-data.ts');
          const moved = await setAsideStaleDevData(config.dataDir, [
            { dir: 'enclave', measurement: await simulationMeasurement() },
            { dir: 'uid', measurement: await measureUidSources() },
          ]);
          if (moved) process.stderr.write(describeSetAside(config.dataDir, moved, { databaseUrl: config.databaseUrl !== undefined }));
        }
        let webDist: string | undefined;
        try {
          const web = (await import('@veil/web/build')) as { ensureWebBuilt: (o?: { quiet?: boolean }) => Promise<string> };
          webDist = await web.ensureWebBuilt({ quiet: true });
        } catch (e) {
          process.stderr.write(`veil: web app not available (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); serving the API only\n`);
        }
        const server = await startServer({ config, ...(webDist ? { webDist } : {}) });
        process.stderr.write(`veil: listening on ${server.url} (${config.profile} profile, ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'} storage, data ${config.dataDir})\n`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            server.close().then(resolve, resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      }),
    );
}
