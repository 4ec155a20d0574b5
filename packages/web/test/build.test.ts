// ensureWebBuilt: builds when dist is missing or stale, reuses a build of the current sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWebBuilt, webSourcesHash } from '../src/build.ts';

test('builds once, then reuses the build until the stamp no longer matches the sources', { timeout: 240_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'veil-web-build-'));
  try {
    await ensureWebBuilt({ outDir: out });
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(html, /Content-Security-Policy/);
    assert.match(html, /<script type="module"[^>]+src="\/assets\/index-[\w-]+\.js"/);
    assert.equal(readFileSync(join(out, '.veil-sources'), 'utf8').trim(), webSourcesHash());
    const built = statSync(join(out, 'index.html')).mtimeMs;
    await ensureWebBuilt({ outDir: out });
    assert.equal(statSync(join(out, 'index.html')).mtimeMs, built, 'an up-to-date build is reused');
    writeFileSync(join(out, '.veil-sources'), 'stale\n');
    await ensureWebBuilt({ outDir: out });
    assert.equal(readFileSync(join(out, '.veil-sources'), 'utf8').trim(), webSourcesHash());
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
