// The Node versions the repository declares (root package.json "engines") must satisfy every
// installed dependency's own "engines.node": a newcomer on any declared version gets no
// "unsupported engine" surprise. Also: the running Node is one of the declared ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const semver = createRequire(import.meta.url)('semver') as { subset(a: string, b: string): boolean; satisfies(v: string, r: string): boolean; validRange(r: string): string | null };

function* packageDirs(nodeModules: string): Generator<string> {
  if (!existsSync(nodeModules)) return;
  for (const name of readdirSync(nodeModules)) {
    if (name.startsWith('.')) continue;
    const dir = join(nodeModules, name);
    if (name.startsWith('@')) {
      for (const sub of readdirSync(dir)) yield* withNested(join(dir, sub));
    } else yield* withNested(dir);
  }
}

function* withNested(dir: string): Generator<string> {
  yield dir;
  yield* packageDirs(join(dir, 'node_modules'));
}

test('declared engines.node is within every installed dependency’s engines.node', () => {
  const declared = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  assert.ok(semver.validRange(declared), declared);
  assert.ok(semver.satisfies(process.versions.node, declared), `this Node (${process.versions.node}) is not one the repository declares (${declared})`);
  const conflicts: string[] = [];
  let checked = 0;
  for (const dir of packageDirs(join(REPO, 'node_modules'))) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const p = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string; engines?: { node?: unknown } };
    const want = p.engines?.node;
    if (typeof want !== 'string' || !semver.validRange(want)) continue;
    checked++;
    if (!semver.subset(declared, want)) conflicts.push(`${p.name}@${p.version} wants node ${want}`);
  }
  assert.ok(checked > 50, `only ${checked} packages with engines found`);
  assert.deepEqual(conflicts, [], `package.json declares node ${declared}, but:\n${conflicts.join('\n')}`);
});
