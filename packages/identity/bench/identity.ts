// `npm run bench:identity`: enrollment latency (p50/p99, with and without the provider's own time),
// where the time goes (TLS to the provider, OPRF/UID, HPKE), and UID derivations per second with
// one key and with 3-of-5 threshold nodes. Everything runs for real on loopback: the dev registry
// (TLS 1.3, own CA), simulated UID nodes, the identity service with simulated attestation.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { parseSimulationRoot } from '@veil/attest/simulation-root';
import { bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { startDevRegistry } from '@veil/dev-registry';
import { createNodeVerifier, deriveUid, deriveUids, generateShares, groupFile, parseUidGroup, type UidGroup } from '@veil/uid';
import { runUidService } from '@veil/uid/uid-service';
import { generateChannelKey } from '../src/channel.ts';
import { runEnclaveService } from '../src/enclave-service.ts';
import { connectIdentityService, enroll, openIdentityRequest, ReplayCache, sealIdentityRequest } from '../src/enroll/index.ts';
import { setupEnrollment } from '../src/enroll/setup-enrollment.ts';
import { beginNotarisedFetch } from '../src/notary/index.ts';

const M_ID = 'e1'.repeat(32);
const M_UID = 'a7'.repeat(32);
const tmp = await mkdtemp(join(tmpdir(), 'veil-bench-identity-'));
const line = (name: string, value: string) => process.stdout.write(`${name.padEnd(52)} ${value}\n`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const closers: Array<() => Promise<void>> = [];

try {
  const producer = await createSimulationProducer({ dataDir: join(tmp, 'enclave'), measurement: M_ID });
  const callers = { measurements: [M_ID], allowSimulation: true, simulationRoot: producer.rootPublicKey };
  const attestCaller = async (rd: Uint8Array) => ({ type: 'simulation' as const, evidence: await producer.evidence(rd) });

  // single-key UID node
  const single = await runUidService({ producer: 'simulation', dataDir: join(tmp, 'uid'), measurement: M_UID, callers, warn: () => {} });
  closers.push(() => single.close());
  const uidTrust = { measurements: [M_UID], allowSimulation: true, simulationRoot: parseSimulationRoot(await readFile(single.simulationRootPath!, 'utf8')) };
  const singleGroup = parseUidGroup({ v: 1, type: 'veil-uid-group', threshold: 1, groupPublicKey: single.groupPublicKey,
    nodes: [{ name: single.node, index: single.index, publicShare: single.publicShare, url: single.url }] });

  const registry = await startDevRegistry({ dataDir: join(tmp, 'registry') });
  closers.push(() => registry.close());
  const enclave = await runEnclaveService({
    producer, port: 0, warn: () => {},
    enrollment: setupEnrollment({ dataDir: join(tmp, 'enclave'), providers: [registry.provider], beginFetch: (p) => beginNotarisedFetch(p as never), uid: { group: singleGroup, trust: uidTrust } }),
  });
  closers.push(() => enclave.close());
  const conn = await connectIdentityService({ url: enclave.url, measurements: [M_ID], allowSimulation: true });

  // enrollment latency
  const N = 40;
  const total: number[] = [];
  const provider: number[] = [];
  const uid: number[] = [];
  for (let i = -3; i < N; i++) {
    const person = registry.people[(i + 3) % registry.people.length]!;
    const credential = registry.issueCredential(person.id);
    const t = performance.now();
    await enroll(conn, { provider: 'dev-registry', credential, key: { alg: 'ed25519', secretKey: bytesToHex(generateEphemeralKey().secretKey) } });
    const ms = performance.now() - t;
    if (i < 0) continue; // warm-up
    const timings = enclave.enrollment!.lastTimings()!;
    total.push(ms);
    provider.push(timings.providerMs);
    uid.push(timings.uidMs);
  }
  const excl = total.map((t, i) => t - provider[i]!);
  line(`enroll latency, client side (n=${N}) p50 / p99`, `${pct(total, 50).toFixed(1)} / ${pct(total, 99).toFixed(1)} ms`);
  line('provider round trip (TCP+TLS handshake+request) p50', `${pct(provider, 50).toFixed(1)} ms`);
  line('enroll latency excluding the provider p50 / p99', `${pct(excl, 50).toFixed(1)} / ${pct(excl, 99).toFixed(1)} ms`);

  // HPKE cost of one request/reply cycle (client seal + service open + service seal + client open)
  const channel = await generateChannelKey();
  const cache = new ReplayCache();
  const body = { session: 'ab'.repeat(32), maskedCredential: 'A'.repeat(60), key: { alg: 'ed25519', publicKey: 'cd'.repeat(32) }, signature: 'ef'.repeat(64) };
  const reply = { v: 1 as const, ok: true as const, result: { fields: { name: 'x'.repeat(20), birthdate: '1990-01-01', nationality: 'NL' }, claims: { pad: 'x'.repeat(1500) } } };
  const H = 200;
  const th = performance.now();
  for (let i = 0; i < H; i++) {
    const { message, openReply } = await sealIdentityRequest(channel.publicKey, 'enroll.complete', body);
    const opened = await openIdentityRequest(channel, message, cache);
    await openReply(await opened.reply(reply));
  }
  const hpkeCycle = (performance.now() - th) / H;
  const hpkePerEnroll = 2 * hpkeCycle; // enroll.begin + enroll.complete
  const tot = sum(total) / N;
  const tls = sum(provider) / N;
  const oprf = sum(uid) / N;
  line('HPKE per request/reply cycle', `${hpkeCycle.toFixed(2)} ms`);
  line('share of enroll time: TLS / OPRF+UID / HPKE / rest', `${((100 * tls) / tot).toFixed(0)} % / ${((100 * oprf) / tot).toFixed(0)} % / ${((100 * hpkePerEnroll) / tot).toFixed(0)} % / ${((100 * (tot - tls - oprf - hpkePerEnroll)) / tot).toFixed(0)} %`);
  line('  (mean ms: total / TLS / OPRF+UID / HPKE)', `${tot.toFixed(1)} / ${tls.toFixed(1)} / ${oprf.toFixed(1)} / ${hpkePerEnroll.toFixed(1)}`);

  // UID derivations per second
  const inputs = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`bench-input-${i}-${Math.random()}`));
  async function rate(group: UidGroup, label: string) {
    const verifyNode = createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: uidTrust });
    await deriveUid({ input: inputs(1)[0]!, group, attestCaller, verifyNode, timeoutMs: 60_000 }); // warm + attest nodes
    const K = 30;
    const t1 = performance.now();
    for (const input of inputs(K)) await deriveUid({ input, group, attestCaller, verifyNode, timeoutMs: 60_000 });
    const one = K / ((performance.now() - t1) / 1000);
    const B = 64;
    const rounds = 4;
    const t2 = performance.now();
    for (let r = 0; r < rounds; r++) await deriveUids({ inputs: inputs(B), group, attestCaller, verifyNode, timeoutMs: 60_000 });
    const batched = (B * rounds) / ((performance.now() - t2) / 1000);
    line(`UID derivations/s, ${label}: one per round / batches of ${B}`, `${one.toFixed(0)} / ${batched.toFixed(0)} (client and node(s) in this one thread; bench:uid runs them apart)`);
  }
  await rate(singleGroup, 'single key');

  const names = ['uid-a', 'uid-b', 'uid-c', 'uid-d', 'uid-e'];
  const gen = generateShares({ threshold: 3, nodes: names });
  const urls: Record<string, string> = {};
  for (const share of gen.shares) {
    const path = join(tmp, `${share.node}.share.json`);
    await writeFile(path, JSON.stringify(share));
    const n = await runUidService({ producer: 'simulation', dataDir: join(tmp, 'uid'), measurement: M_UID, sharePath: path, callers, warn: () => {} });
    closers.push(() => n.close());
    urls[share.node] = n.url;
  }
  await rate(parseUidGroup(groupFile(gen, urls)), '3-of-5');
  line('machine', `${(await import('node:os')).cpus().length} cores, Node ${process.version}`);
} finally {
  for (const c of closers.reverse()) await c().catch(() => {});
  await rm(tmp, { recursive: true, force: true });
}
