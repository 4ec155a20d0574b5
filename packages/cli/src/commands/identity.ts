// `veil identity …`: identity enrollment commands. Each subcommand registers itself in one
// function below, so the group grows (enroll, link, participate, verify-claim) without touching
// the others.
import type { Command } from 'commander';
import { serverUrl } from '../lib/board-client.ts';
import { devRegistryCall, findDevRegistry } from '../lib/dev-registry-client.ts';
import { action, UsageError } from '../lib/run.ts';

/** `veil identity dev-credential --server URL (--person ID | --list)` — development profile only. */
function registerDevCredential(identity: Command): void {
  identity
    .command('dev-credential')
    .description('DEVELOPMENT: print a bearer credential of a dev registry test person, or --list the people')
    .requiredOption('--server <url>', 'board server URL (its /api/config says where the dev registry is)')
    .option('--person <id>', 'test person id (see --list)')
    .option('--list', 'print the test people as a JSON array of {"id","name"}')
    .action(
      action(async (opts: { server: string; person?: string; list?: boolean }) => {
        if ((opts.person === undefined) === !opts.list) throw new UsageError('dev-credential: give exactly one of --person ID or --list');
        if (opts.person !== undefined && !/^[a-z0-9-]{1,32}$/.test(opts.person)) throw new UsageError(`--person ${opts.person}: not a test person id`);
        const registry = await findDevRegistry(serverUrl(opts.server));
        process.stderr.write(`veil: DEVELOPMENT dev registry at ${registry.url}\n`);
        if (opts.list) {
          const people = await devRegistryCall<Array<{ id: string; name: string }>>(registry, 'GET', '/dev/people');
          process.stdout.write(`${JSON.stringify(people.map(({ id, name }) => ({ id, name })))}\n`);
          return;
        }
        const { credential } = await devRegistryCall<{ credential: string }>(registry, 'POST', `/dev/people/${opts.person}/credential`);
        process.stdout.write(`${credential}\n`);
      }),
    );
}

export function register(program: Command): void {
  const identity = program.command('identity').description('identity enrollment at a data provider through the attested identity service');
  registerDevCredential(identity);
}
