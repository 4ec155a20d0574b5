// ensureWebBuilt: builds when dist is missing or stale, reuses a build of the current sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { ensureWebBuilt, webSourcesHash } from '../src/build.ts';
import { pinnedArtifacts } from '../src/pinned-artifacts.ts';

test('builds once, then reuses the build until the stamp no longer matches the sources', { timeout: 240_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'veil-web-build-'));
  try {
    await ensureWebBuilt({ outDir: out });
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(html, /Content-Security-Policy/);
    assert.match(html, /<script type="module"[^>]+src="\/assets\/index-[\w-]+\.js"/);
    assert.equal(readFileSync(join(out, '.veil-sources'), 'utf8').trim(), webSourcesHash());
    // issue 8: the circuit ids and verification-key hashes are compiled into the bundle's workers
    const js = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(out, 'assets', f), 'utf8')).join('\n');
    const pins = pinnedArtifacts();
    assert.ok(Object.keys(pins.verificationKeys).length > 0);
    for (const hash of [...pins.circuits.map((c) => c.id), ...Object.values(pins.verificationKeys)]) assert.ok(js.includes(hash), `${hash} pinned in the bundle`);
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
