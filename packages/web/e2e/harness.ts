/**
 * End-to-end harness: runs the real `veil serve` (development profile) on a random loopback port
 * with a temporary data directory, and drives Debian's Chromium through playwright-core.
 * Everything is bounded: the server is killed in `stop()`, every wait has a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
export const OUTPUT = join(REPO, 'test-output');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A free loopback port (bound to port 0, read back, released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Served {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  logs(): string;
}

/** Starts `veil serve` and waits until `/api/config` answers. */
export async function serve(opts: { timeoutMs?: number } = {}): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'veil-e2e-'));
  const port = await freePort();
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'packages/cli/bin/veil.mjs'), 'serve', '--port', String(port), '--data', dataDir], {
    cwd: REPO,
    env: { ...process.env, VEIL_CONFIG: '', PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`veil serve exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/api/config`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`veil serve did not come up within the timeout:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, dataDir, stop, logs: () => out };
}

/** Debian's Chromium, headless, with a fresh temporary profile (playwright makes one per launch). */
export async function launch(): Promise<Browser> {
  mkdirSync(OUTPUT, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 60_000 });
}
