/**
 * Refreshes the test-CRS verification keys in circuits/keys/ for every circuit in circuits.json
 * (run by `npm run build:circuits` after compiling): a key recorded for another circuit id is
 * recomputed, a current one is left alone. Commit the result with circuits.json.
 */
import { nodeArtifacts } from '../src/artifacts-node.ts';
import { loadTestCrs } from '../src/crs-node.ts';
import { Engine } from '../src/lib/engine.ts';

const artifacts = nodeArtifacts();
const engine = new Engine({ artifacts, testCrs: loadTestCrs });
try {
  for (const info of await artifacts.circuits()) {
    const t0 = performance.now();
    const before = await artifacts.verificationKey(info, engine.crsId('test'));
    await engine.verificationKey(await engine.circuit(info.name), 'test');
    console.log(`${info.name}: test-CRS verification key ${before ? 'up to date' : 'recomputed'} [${Math.round(performance.now() - t0)} ms]`);
  }
} finally {
  await engine.destroy();
}
