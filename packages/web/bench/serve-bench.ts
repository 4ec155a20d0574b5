// The benches' page server: builds `page` (an HTML entry in bench/) with the app's Vite config and
// serves it with COOP/COEP next to the prover artifacts (circuits/ and the test-CRS cache), with
// the `Range` requests the CRS fetch makes; `extra` answers other paths (e.g. a group's leaf log).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { testCrsDir } from '@veil/prover/crs-node';
import { CIRCUITS_DIR } from '@veil/circuits/build';
import { webConfig, ISOLATION_HEADERS } from '../src/vite-config.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

export async function serveBench(page: string, extra?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<{ url: string; close(): void }> {
  const outDir = mkdtempSync(join(tmpdir(), 'veil-bench-web-'));
  const base = webConfig({ outDir });
  await build({ ...base, logLevel: 'warn', build: { ...base.build, rolldownOptions: { ...base.build!.rolldownOptions, input: join(here, page) } } });
  const roots: Array<[string, string]> = [['/artifacts/', CIRCUITS_DIR], ['/artifacts/', testCrsDir()], ['/', outDir]];
  const server = createServer(async (req, res) => {
    if (extra?.(req, res)) return;
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    for (const [prefix, dir] of roots) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length) || 'index.html'));
      if (!file.startsWith(dir)) break;
      try {
        if (!(await stat(file)).isFile()) continue;
        let body = await readFile(file);
        const range = /^bytes=0-(\d+)$/.exec(req.headers.range ?? '');
        const headers = { ...ISOLATION_HEADERS, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
        if (range) {
          body = body.subarray(0, Number(range[1]) + 1);
          res.writeHead(206, { ...headers, 'content-range': `bytes 0-${body.length - 1}/*` });
        } else res.writeHead(200, headers);
        res.end(body);
        return;
      } catch {
        continue;
      }
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close() {
      server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
