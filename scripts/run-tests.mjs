#!/usr/bin/env node
// Runs every test file under packages/*/test and circuits/test with Node's own test runner
// (TypeScript via tsx). Node 20's --test takes no globs, so the files are listed here.
// `--pg` runs only the storage-backed suites against DATABASE_URL (PostgreSQL).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const pg = args.includes('--pg');
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
const env = { ...process.env, VEIL_CRS: process.env.VEIL_CRS ?? 'test', VEIL_TEST_PG: pg ? '1' : '' };
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env,
});
process.exit(r.status ?? 1);
