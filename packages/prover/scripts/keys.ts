/**
 * Refreshes the test-CRS verification keys in circuits/keys/ for every current circuit in
 * circuits.json (run after `npm run build:circuits`): a key recorded for another circuit id is
 * recomputed, a current one is left alone, and the manifest entry records its key file per CRS.
 * Retired (`accepted-until`) circuits cannot be recompiled: their stored keys must exist, or this
 * fails. Also records each current circuit's gate count (`gates`, bb.js `acirGetCircuitSizes`).
 * Commit the result with circuits.json.
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
    const circuit = await engine.circuit(info.name);
    await engine.verificationKey(circuit, 'test');
    const entry = manifest.circuits.find((c) => c.name === info.name && c.id === info.id)!;
    const { total, dyadic } = await engine.sizes(circuit, 'test');
    const gates = { total, dyadic, measured: `bb.js ${manifest.bb as string} acirGetCircuitSizes` };
    if (JSON.stringify(entry.gates) !== JSON.stringify(gates)) {
      entry.gates = gates;
      changed = true;
    }
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
    console.log('recorded the key files and gate counts in circuits.json');
  }
} finally {
  await engine.destroy();
}
