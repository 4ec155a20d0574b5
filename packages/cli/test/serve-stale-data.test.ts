// Development data sealed by another build: `veil serve` (development profile) moves the data dir
// aside and starts fresh; a UID node started by hand (no development profile) keeps ERR_UNSEAL fatal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { readSealedMeasurement, seal } from '@veil/attest/seal';
import { fromBase64, toBase64 } from '@veil/crypto/bytes';
import { BIN, stop, veil } from './veil-process.ts';

const OTHER_BUILD = 'abcdef012345'.repeat(5) + 'abcd';

/** Every file under `dir` with its bytes, for "untouched" comparisons. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

const sealedMeasurement = (file: string): string =>
  readSealedMeasurement(fromBase64((JSON.parse(readFileSync(file, 'utf8')) as { sealed: string }).sealed, 1 << 20, 'ERR_UNSEAL', 'sealed'));

test('development profile: data sealed by another build is moved aside, loudly, and the server starts fresh; a UID node outside it refuses', { timeout: 240_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'veil-stale-'));
  const data = join(root, 'data');
  // The registrar secrets as another build of the identity service sealed them (real seal, simulation producer of that build).
  mkdirSync(join(data, 'enclave'), { recursive: true });
  const otherBuild = await createSimulationProducer({ dataDir: join(data, 'enclave'), measurement: OTHER_BUILD });
  const blob = await seal(crypto.getRandomValues(new Uint8Array(64)), otherBuild, { purpose: 'veil-identity/registrar' });
  writeFileSync(join(data, 'enclave', 'registrar.sealed.json'), `${JSON.stringify({ v: 1, sealed: toBase64(blob) })}\n`, { mode: 0o600 });
  writeFileSync(join(data, 'veil.sqlite'), 'the old board database');
  const before = snapshot(data);
  // An earlier set-aside of the same build is never overwritten.
  const taken = `${data}.previous-build-${OTHER_BUILD.slice(0, 12)}`;
  mkdirSync(taken);
  writeFileSync(join(taken, 'keep'), 'earlier');

  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data], {
    env: { ...process.env, PORT: '', VEIL_CONFIG: '', DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`veil serve did not start: ${stderr}`)), 200_000);
      child.stderr!.on('data', () => { if (stderr.includes('veil: listening on')) { clearTimeout(t); resolve(); } });
      child.once('exit', (code) => { clearTimeout(t); reject(new Error(`veil serve exited ${code}: ${stderr}`)); });
    });
  } finally {
    await stop(child);
  }
  const moved = `${taken}-2`;
  assert.match(stderr, /DEVELOPMENT DATA MOVED ASIDE: enclave\/registrar\.sealed\.json in .* was sealed by another build/);
  assert.ok(stderr.includes(`measurement ${OTHER_BUILD}; this build is `), stderr);
  assert.match(stderr, /A real enclave could not unseal another build's sealed data either/);
  assert.ok(stderr.includes(`The old data is now in ${moved} `), stderr);
  assert.ok(stderr.indexOf('MOVED ASIDE') < stderr.indexOf('veil: listening on'), 'moved before the server started');
  assert.doesNotMatch(stderr, /ERR_UNSEAL/);
  assert.deepEqual(snapshot(moved), before, 'the old data dir, untouched under its new name');
  assert.deepEqual([...snapshot(taken)], [['keep', Buffer.from('earlier').toString('base64')]], 'the earlier set-aside is untouched');
  // A fresh data dir, sealed by this build (the identity service's registrar and the UID node's key).
  const thisBuild = /this build is ([0-9a-f]{64})/.exec(stderr)![1]!;
  assert.equal(sealedMeasurement(join(data, 'enclave', 'registrar.sealed.json')), thisBuild);
  assert.equal(readFileSync(join(data, 'veil.sqlite')).subarray(0, 15).toString(), 'SQLite format 3');
  const uidShare = join(data, 'uid', 'uid.share.sealed.json');
  const share = readFileSync(uidShare);

  // Outside the development profile nothing is moved: a UID node reporting another measurement
  // cannot unseal the key this build sealed, and says which measurements and which file.
  const uidBuild = sealedMeasurement(uidShare);
  const refused = await veil(['uid', 'serve', '--producer', 'simulation', '--measurement', OTHER_BUILD, '--data', join(data, 'uid'), '--port', '0', '--caller-measurement', thisBuild]);
  assert.equal(refused.code, 1, refused.stderr);
  assert.ok(refused.stderr.includes(`veil: ERR_UNSEAL: ${uidShare}: cannot unseal: sealed under a different measurement (sealed by build ${uidBuild}, this build is ${OTHER_BUILD})`), refused.stderr);
  assert.deepEqual(readFileSync(uidShare), share, 'the sealed share is untouched');
  assert.deepEqual(readdirSync(root).sort(), ['data', `data.previous-build-${OTHER_BUILD.slice(0, 12)}`, `data.previous-build-${OTHER_BUILD.slice(0, 12)}-2`]);
});
