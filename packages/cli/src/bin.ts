#!/usr/bin/env node
// The `veil` command. Each command group lives in its own file under commands/ and registers
// itself on the program; this file only wires them together and maps usage errors to exit 2.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { register as attest } from './commands/attest.ts';
import { register as enclave } from './commands/enclave.ts';
import { register as provision } from './commands/provision.ts';
import { register as serve } from './commands/serve.ts';
import { register as board } from './commands/board.ts';
import { register as keygen } from './commands/keygen.ts';
import { register as membership } from './commands/membership.ts';
import { register as identity } from './commands/identity.ts';
import { register as poll } from './commands/poll.ts';
import { register as login } from './commands/login.ts';
import { register as uid } from './commands/uid.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('veil')
  .description('Veil: prove what you are without saying who you are.')
  .version(version, '-V, --version', 'print the version')
  .exitOverride()
  // Usage errors are one line with a code, like every other failure (lib/run.ts).
  .configureOutput({ outputError: (s, write) => write(`veil: ERR_USAGE: ${s.replace(/^error: /, '').trim()} (see --help)\n`) });

const groups: Array<(p: Command) => void> = [login, attest, enclave, provision, serve, board, keygen, membership, poll, identity, uid];
for (const register of groups) register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // --help and --version are not errors.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    throw e;
  }
}
