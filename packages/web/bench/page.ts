// Benchmark page: runs the app's own proving worker (src/app/workers/prove.worker.ts) on a request
// handed in by the driver, and reports the worker's stage timings.
import type { ProveEvent, ProveRequest } from '../src/app/workers/prove-protocol.ts';

interface Run {
  totalMs: number;
  provingMs: number;
  proofBytes: number;
}

(window as unknown as { runProof: (req: ProveRequest) => Promise<Run> }).runProof = (req) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../src/app/workers/prove.worker.ts', import.meta.url), { type: 'module' });
    const t0 = performance.now();
    let provingAt = 0;
    worker.onmessage = (e: MessageEvent<ProveEvent>) => {
      const ev = e.data;
      if (ev.type === 'stage' && ev.stage === 'proving') provingAt = performance.now() - t0;
      if (ev.type === 'done') {
        worker.terminate();
        resolve({ totalMs: performance.now() - t0, provingMs: performance.now() - t0 - provingAt, proofBytes: Math.floor((ev.bundle.proof as string).length * 3 / 4) });
      }
      if (ev.type === 'error') {
        worker.terminate();
        reject(new Error(`${ev.code}: ${ev.message}`));
      }
    };
    worker.postMessage(req);
  });
document.getElementById('out')!.textContent = `ready; crossOriginIsolated=${crossOriginIsolated}`;
