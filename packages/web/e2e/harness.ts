/**
 * End-to-end harness: runs the real `veil serve` (development profile) on a random loopback port
 * with a temporary data directory, and drives Debian's Chromium through playwright-core.
 * Everything is bounded: the server is killed in `stop()`, every wait has a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { buildWeb } from '../src/build.ts';

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

/**
 * One development server and one Chromium for a test file: built and started before its tests,
 * closed after. Each page gets its own browser profile (its own localStorage: one person each)
 * and reports Content-Security-Policy violations into `cspViolations` (which must stay empty).
 */
export function browserSuite(): {
  server(): Served;
  newPage(o?: { timeoutMs?: number; context?: BrowserContextOptions }): Promise<Page>;
  cspViolations: string[];
} {
  let server: Served | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const cspViolations: string[] = [];
  before(async () => {
    await buildWeb();
    server = await serve();
    browser = await launch();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });
  return {
    server: () => server!,
    async newPage(o = {}) {
      const ctx = await browser!.newContext(o.context ?? {});
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.setDefaultTimeout(o.timeoutMs ?? 60_000);
      page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text()); });
      return page;
    },
    cspViolations,
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on the page as it is now: no serious or critical violation. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  assert.deepEqual(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), [], `${what}: axe-core found serious violations`);
}
