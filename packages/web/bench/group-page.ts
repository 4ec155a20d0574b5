// Group benchmark page: runs the app's own group worker (src/app/workers/group.worker.ts) on the
// requests the driver hands in, one warm worker for the whole run.
import type { GroupReply, GroupRequest } from '../src/app/workers/group-protocol.ts';

const worker = new Worker(new URL('../src/app/workers/group.worker.ts', import.meta.url), { type: 'module' });
const waiting = new Map<number, (r: GroupReply) => void>();
worker.onmessage = (e: MessageEvent<GroupReply>) => {
  waiting.get(e.data.seq)?.(e.data);
  waiting.delete(e.data.seq);
};

(window as unknown as { runGroup: (req: GroupRequest) => Promise<GroupReply & { wallMs: number }> }).runGroup = (req) =>
  new Promise((resolve) => {
    const t0 = performance.now();
    waiting.set(req.seq, (r) => resolve({ ...r, wallMs: performance.now() - t0 }));
    worker.postMessage(req);
  });
document.getElementById('out')!.textContent = `ready; crossOriginIsolated=${crossOriginIsolated}`;
