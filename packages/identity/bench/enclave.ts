// `npm run bench:enclave`: figures for the producer side of attestation (simulation producer;
// there is no SGX hardware here). Prints one line per figure.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { seal, unseal } from '@veil/attest/seal';
import { buildEnclaveBundle, measureBundle } from '../src/build-enclave.ts';
import { runEnclaveService } from '../src/enclave-service.ts';
import { startProvisionAgent } from '../src/provision-agent.ts';
import { receiveProvisionedSecret } from '../src/provision-client.ts';
import { generateChannelKey } from '../src/channel.ts';
import { toHex } from '@veil/crypto/bytes';

const tmp = await mkdtemp(join(tmpdir(), 'veil-bench-enclave-'));
const line = (name: string, value: string) => process.stdout.write(`${name.padEnd(44)} ${value}\n`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

try {
  await buildEnclaveBundle(); // warm
  const builds: number[] = [];
  let bytes: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    bytes = await buildEnclaveBundle();
    builds.push(performance.now() - t);
  }
  line('reproducible build (in memory), median', `${pct(builds, 50).toFixed(0)} ms`);
  line('bundle size', `${(bytes.length / 1024).toFixed(0)} KiB`);
  const measurement = measureBundle(bytes);

  const producer = await createSimulationProducer({ dataDir: join(tmp, 'enclave'), measurement });
  const svc = await runEnclaveService({ producer, port: 0, warn: () => {} });
  const lat: number[] = [];
  const N = 500;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const c = toHex(crypto.getRandomValues(new Uint8Array(32)));
    const t = performance.now();
    const res = await fetch(`${svc.url}/attestation/evidence?challenge=${c}`);
    await res.arrayBuffer();
    lat.push(performance.now() - t);
  }
  const total = performance.now() - t0;
  line('GET /attestation/evidence (simulation), sequential', `${(N / (total / 1000)).toFixed(0)} req/s, p50 ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms`);
  await svc.close();

  const data = crypto.getRandomValues(new Uint8Array(1024));
  const M = 2000;
  let t = performance.now();
  let blob: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < M; i++) blob = await seal(data, producer);
  line('seal 1 KiB (HKDF + AES-256-GCM)', `${(M / ((performance.now() - t) / 1000)).toFixed(0)} ops/s`);
  t = performance.now();
  for (let i = 0; i < M; i++) await unseal(blob, producer);
  line('unseal 1 KiB', `${(M / ((performance.now() - t) / 1000)).toFixed(0)} ops/s`);

  const sock = join(tmp, 'agent.sock');
  const agent = await startProvisionAgent({ socketPath: sock, secret: data, measurements: [measurement], allowSimulation: true, simulationRoot: producer.rootPublicKey });
  const hs: number[] = [];
  for (let i = 0; i < 50; i++) {
    const channel = await generateChannelKey();
    const s = performance.now();
    await receiveProvisionedSecret({ socketPath: sock, producer, channel });
    hs.push(performance.now() - s);
  }
  await agent.close();
  line('provisioning handshake (unix socket, simulation)', `p50 ${pct(hs, 50).toFixed(1)} ms, p99 ${pct(hs, 99).toFixed(1)} ms`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
