// A Node test reporter that prints each test file's wall time, slowest first, when the run ends
// (`node scripts/run-tests.mjs --timings`). Keeps the suite's cost visible: see CONTRIBUTING.md.
import { relative } from 'node:path';

export default async function* slowestFiles(source) {
  const files = [];
  for await (const event of source) {
    // The runner reports each file as a test named by its path, with the file's whole wall time.
    if (event.type === 'test:complete' && event.data.file && event.data.name === event.data.file) {
      files.push({ file: relative(process.cwd(), event.data.file), ms: event.data.details.duration_ms, ok: event.data.details.passed });
    }
  }
  files.sort((a, b) => b.ms - a.ms);
  const total = files.reduce((s, f) => s + f.ms, 0);
  yield `\nper-file wall time (${files.length} files, ${(total / 1000).toFixed(1)} s summed):\n`;
  for (const f of files) yield `${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.ok ? '' : 'FAILED '}${f.file}\n`;
}
