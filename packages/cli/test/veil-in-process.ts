// Runs one veil command's real action in the test process, for sweeps that would otherwise spawn a
// process per case (each spawn costs ~0.7 s of tsx start-up). Only the command group's `register`
// is loaded, configured like bin.ts; what it writes to stdout/stderr and the exit code it sets are
// returned, and process.exitCode is restored. Files that use it still spawn the binary at least
// once for the process contract (exit code, one stderr line).
import { Command, CommanderError } from 'commander';

export interface Outcome { code: number; stdout: string; stderr: string }

/** Runs `veil <args>` with only `register`'s commands; sequential use only (it captures the process streams). */
export async function veilInProcess(register: (p: Command) => void, args: string[]): Promise<Outcome> {
  const program = new Command('veil')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(`veil: ERR_USAGE: ${s.replace(/^error: /, '').trim()} (see --help)\n`) });
  register(program);
  const out = { stdout: '', stderr: '' };
  const saved = { code: process.exitCode, stdout: process.stdout.write, stderr: process.stderr.write };
  // Commands write strings; the test runner's own reports to its parent are Buffers and pass through.
  const capture = (stream: 'stdout' | 'stderr') =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      if (typeof chunk === 'string') {
        out[stream] += chunk;
        return true;
      }
      return (saved[stream] as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  process.exitCode = 0;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  let code: number;
  try {
    await program.parseAsync(['node', 'veil', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? 0 : 2;
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    process.exitCode = saved.code;
  }
  return { code, ...out };
}
