import { build } from 'vite';
import { webConfig } from '/work/main/packages/web/src/vite-config.ts';
const c = webConfig({ outDir: '/tmp/veil-trydist' });
await build({ ...c, logLevel: 'info', build: { ...c.build, rollupOptions: { shimMissingExports: true } }, worker: { ...c.worker, rollupOptions: { shimMissingExports: true } } as never });
