// The registrar's sealed secrets belong to the build that made them: the same build reopens them
// (same public key), another build's producer on the same install cannot, and the error names the
// file and both measurements (what the operator needs to see; nothing is rewritten).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { createRegistrar } from '../../../src/enroll/registrar/index.ts';
import { openSqliteIdentityStore } from '../../../src/enroll/storage/index.ts';
import { M_IDENTITY } from '../helpers.ts';

test('registrar: another build cannot open the sealed secrets (ERR_UNSEAL naming the file and both measurements)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-registrar-sealed-'));
  const store = openSqliteIdentityStore({ path: join(dir, 'identity.sqlite') });
  const boardUrl = 'http://127.0.0.1:9';
  try {
    const producer = await createSimulationProducer({ dataDir: dir, measurement: M_IDENTITY });
    const first = await createRegistrar({ producer, dataDir: dir, store, boardUrl });
    assert.equal((await createRegistrar({ producer, dataDir: dir, store, boardUrl })).publicKey, first.publicKey);
    const file = join(dir, 'registrar.sealed.json');
    const sealed = await readFile(file);
    const other = 'ee'.repeat(32);
    const otherBuild = await createSimulationProducer({ dataDir: dir, measurement: other });
    await assert.rejects(createRegistrar({ producer: otherBuild, dataDir: dir, store, boardUrl }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ERR_UNSEAL');
      assert.equal(e.message, `${file}: cannot unseal: sealed under a different measurement (sealed by build ${M_IDENTITY}, this build is ${other}); only the build that sealed it can unseal it`);
      return true;
    });
    assert.deepEqual(await readFile(file), sealed);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
