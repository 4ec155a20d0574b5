#!/usr/bin/env node
// Runs every test file under packages/*/test and circuits/test with Node's own test runner
// (TypeScript via tsx). Node 20's --test takes no globs, so the files are listed here.
// `--pg` runs only the storage-backed suites against DATABASE_URL (PostgreSQL), one file at a time
// (they share the database). Otherwise files run VEIL_TEST_CONCURRENCY at a time (default: cores
// + 1; Node's own default leaves one core idle): most files wait on child processes, servers or
// proofs, and each uses its own temp dirs and port-0 listeners. `--timings` prints each file's wall
// time, slowest first (scripts/slowest-files.mjs).
import { availableParallelism } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const pg = args.includes('--pg');
const timings = args.includes('--timings');
const only = args.filter((a) => !a.startsWith('--'));
const roots = ['circuits/test', ...readdirSync('packages').map((p) => join('packages', p, 'test'))];

function walk(dir) {
  let out = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(walk(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

let files = roots.flatMap(walk).sort();
if (pg) files = files.filter((f) => f.includes('.pg.') || f.includes('/storage/'));
else files = files.filter((f) => !f.includes('.pg.'));
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (pg && !process.env.DATABASE_URL) {
  console.error('test:pg needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  process.exit(2);
}
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = pg ? 1 : Number(process.env.VEIL_TEST_CONCURRENCY || availableParallelism() + 1);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`VEIL_TEST_CONCURRENCY=${process.env.VEIL_TEST_CONCURRENCY}: not a positive integer`);
  process.exit(2);
}
const env = { ...process.env, VEIL_CRS: process.env.VEIL_CRS ?? 'test', VEIL_TEST_PG: pg ? '1' : '' };
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
if (timings) reporters.push(`--test-reporter=${new URL('slowest-files.mjs', import.meta.url).pathname}`, '--test-reporter-destination=stdout');
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporters, ...files], {
  stdio: 'inherit',
  env,
});
process.exit(r.status ?? 1);
