const out = document.getElementById('out')!;
const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
w.onmessage = (e) => { out.textContent = JSON.stringify({ coi: crossOriginIsolated, ...e.data }); (window as any).__result = e.data; };
w.onerror = (e) => { out.textContent = 'worker error ' + e.message; (window as any).__result = { error: e.message }; };
w.postMessage('go');
