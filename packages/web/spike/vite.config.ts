import { defineConfig } from 'vite';
export default defineConfig({
  root: import.meta.dirname,
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@aztec/bb.js', '@noir-lang/noir_js', '@noir-lang/acvm_js', '@noir-lang/noirc_abi'] },
  build: { target: 'es2022', outDir: '/tmp/spike/dist', emptyOutDir: true },
});
