/**
 * Refreshes the test-CRS verification keys in circuits/keys/ for every current circuit in
 * circuits.json (run after `npm run build:circuits`): a key recorded for another circuit id is
 * recomputed, a current one is left alone, and the manifest entry records its key file per CRS.
 * Retired (`accepted-until`) circuits cannot be recompiled: their stored keys must exist, or this
 * fails. Commit the result with circuits.json.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { currentKeyFile, MANIFEST_PATH, readManifest } from '@veil/circuits/build';
import { nodeArtifacts } from '../src/artifacts-node.ts';
import { loadTestCrs } from '../src/crs-node.ts';
import { Engine } from '../src/lib/engine.ts';

const artifacts = nodeArtifacts();
const engine = new Engine({ artifacts, testCrs: loadTestCrs });
try {
  const crsId = engine.crsId('test');
  const manifest = readManifest();
  let changed = false;
  for (const info of await artifacts.circuits()) {
    const t0 = performance.now();
    const before = await artifacts.verificationKey(info, crsId);
    if (info.acceptedUntil !== undefined) {
      if (!before) throw new Error(`${info.name} ${info.id} (accepted until ${info.acceptedUntil}): its test-CRS verification key is missing`);
      console.log(`${info.name} ${info.id.slice(0, 12)}: retired, accepted until ${info.acceptedUntil}; key present`);
      continue;
    }
    await engine.verificationKey(await engine.circuit(info.name), 'test');
    const entry = manifest.circuits.find((c) => c.name === info.name && c.id === info.id)!;
    if (entry.keys?.[crsId] === undefined) {
      entry.keys = { ...entry.keys, [crsId]: currentKeyFile(info.name, crsId) };
      changed = true;
    }
    console.log(`${info.name}: test-CRS verification key ${before ? 'up to date' : 'recomputed'} [${Math.round(performance.now() - t0)} ms]`);
  }
  if (changed) {
    const tmp = `${MANIFEST_PATH}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(tmp, MANIFEST_PATH);
    console.log('recorded the key files in circuits.json');
  }
} finally {
  await engine.destroy();
}
