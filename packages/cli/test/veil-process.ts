// Runs the `veil` binary as a child process for the CLI tests that need real processes (servers,
// nodes, agents) rather than in-process calls.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = resolve(fileURLToPath(import.meta.url), '..', '..', 'bin', 'veil.mjs');

/** Runs veil asynchronously (the test process keeps serving its own HTTP proxies meanwhile). */
export function veil(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (code) => res({ code, stdout, stderr }));
  });
}

/** Starts a long-running veil command and resolves with its first stdout line. */
export function veilBackground(args: string[]): Promise<{ child: ChildProcess; line: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((res, rej) => {
    let out = '';
    const t = setTimeout(() => rej(new Error(`no output from veil ${args.join(' ')}: ${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(t);
        res({ child, line: out.split('\n')[0]!, stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      rej(new Error(`veil exited ${code}: ${err}`));
    });
  });
}

/** Ends a background veil process and waits for it to exit. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
