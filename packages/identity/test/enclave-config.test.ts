// The production enclave entry's configuration (enclave-config.ts): the production profile refuses
// development components (simulated attestation, simulated UID nodes, the dev registry however it
// is named), accepts a real-looking configuration, and the BUNDLE itself, in the development
// profile, configures enrollment from its environment and enrolls a person for real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { startDevRegistry } from '@veil/dev-registry';
import { generateShares, groupFile } from '@veil/uid';
import { runUidService } from '@veil/uid/uid-service';
import { IDENTITY_DIR } from '../src/build-enclave.ts';
import { loadEnclaveConfig } from '../src/enclave-config.ts';
import { connectIdentityService, enroll } from '../src/enroll/index.ts';

const M_UID = 'a7'.repeat(32);
const SQLITE_ADDON = join(dirname(fileURLToPath(import.meta.resolve('better-sqlite3'))), '..', 'build', 'Release', 'better_sqlite3.node');
const REAL_PROVIDER = {
  name: 'citizens', baseUrl: 'https://registry.example.gov', path: '/api/v1/me', ca: 'system',
  fields: { name: '$.name', birthdate: '$.birthdate', nationality: '$.nationality' },
  credential: { header: 'authorization', prefix: 'Bearer ', length: 43 },
};

async function fixture() {
  const dir = await mkdtemp(join(tmpdir(), 'veil-enclave-config-'));
  const registry = await startDevRegistry({ dataDir: join(dir, 'dev-registry') });
  const gen = generateShares({ threshold: 1, nodes: ['uid'] });
  const group = groupFile(gen, { uid: 'http://127.0.0.1:1' });
  const files = {
    real: join(dir, 'providers-real.json'),
    dev: join(dir, 'providers-dev.json'),
    devRenamed: join(dir, 'providers-dev-renamed.json'),
    loopback: join(dir, 'providers-loopback.json'),
    group: join(dir, 'group.json'),
    simRoot: join(dir, 'sim-root.json'),
  };
  await writeFile(files.real, JSON.stringify([REAL_PROVIDER]));
  await writeFile(files.dev, JSON.stringify([registry.provider]));
  await writeFile(files.devRenamed, JSON.stringify([REAL_PROVIDER, { ...registry.provider, name: 'citizens-2' }]));
  await writeFile(files.loopback, JSON.stringify([{ ...REAL_PROVIDER, baseUrl: 'https://127.0.0.1:4443' }]));
  await writeFile(files.group, JSON.stringify(group));
  const sim = await createSimulationProducer({ dataDir: join(dir, 'sim'), measurement: M_UID });
  await writeFile(files.simRoot, await readFile(sim.rootPublicPath, 'utf8'));
  return { dir, registry, files, async close() { await registry.close(); await rm(dir, { recursive: true, force: true }); } };
}

test('the production profile refuses development components; a real-looking configuration is accepted', async () => {
  const f = await fixture();
  try {
    const enrollment = (providers: string) => ({ VEIL_IDENTITY_PROVIDERS: providers, VEIL_UID_GROUP: f.files.group, VEIL_UID_MEASUREMENTS: M_UID, VEIL_SQLITE_ADDON: SQLITE_ADDON });
    const refused: Array<[string, Record<string, string>, RegExp]> = [
      ['simulated attestation (production is the default profile)', { VEIL_ENCLAVE_PRODUCER: 'simulation' }, /refuses simulated attestation/],
      ['simulated attestation, explicit production', { VEIL_PROFILE: 'production', VEIL_ENCLAVE_PRODUCER: 'simulation' }, /refuses simulated attestation/],
      ['the dev registry as provider', enrollment(f.files.dev), /development provider "dev-registry": it is named "dev-registry"/],
      ['the dev registry renamed (its CA gives it away)', enrollment(f.files.devRenamed), /development provider "citizens-2": it pins a CA of "O=Veil development"/],
      ['a provider on loopback', enrollment(f.files.loopback), /development provider "citizens": its base URL is on a loopback address/],
      ['simulated UID nodes', { ...enrollment(f.files.real), VEIL_UID_SIMULATION_ROOT: f.files.simRoot }, /refuses simulated UID nodes/],
      ['half an enrollment configuration', { VEIL_IDENTITY_PROVIDERS: f.files.real }, /needs VEIL_IDENTITY_PROVIDERS, VEIL_UID_GROUP and VEIL_UID_MEASUREMENTS together/],
      ['enrollment extras without enrollment', { VEIL_DATABASE_URL: 'postgres://x@127.0.0.1/db' }, /configure enrollment/],
      ['a bad measurement pin', { ...enrollment(f.files.real), VEIL_UID_MEASUREMENTS: `${M_UID},zz` }, /VEIL_UID_MEASUREMENTS/],
      ['no store', { ...enrollment(f.files.real), VEIL_SQLITE_ADDON: '' }, /enrollment needs a store/],
      ['two stores', { ...enrollment(f.files.real), VEIL_DATABASE_URL: 'postgres://x@127.0.0.1/db' }, /exclude each other/],
      ['a missing file', enrollment(join(f.dir, 'nope.json')), /VEIL_IDENTITY_PROVIDERS: cannot read .*ENOENT/],
      ['an unknown profile', { VEIL_PROFILE: 'staging' }, /VEIL_PROFILE/],
      ['a bad port', { VEIL_ENCLAVE_PORT: '80x' }, /VEIL_ENCLAVE_PORT/],
    ];
    for (const [why, env, message] of refused) {
      await assert.rejects(loadEnclaveConfig(env), { code: 'ERR_ENCLAVE_CONFIG', message }, why);
    }
    await assert.rejects(loadEnclaveConfig({ ...enrollment(f.files.real), VEIL_UID_GROUP: f.files.real }), { code: 'ERR_UID_GROUP_INVALID' });

    const prod = await loadEnclaveConfig({ ...enrollment(f.files.real), VEIL_DATA_DIR: '/data' });
    assert.equal(prod.profile, 'production');
    assert.equal(prod.options.producer, 'gramine');
    assert.equal(typeof prod.options.enrollment, 'function');
    assert.deepEqual(prod.enrollment, { providers: ['citizens'], uidNodes: ['uid'], threshold: 1, database: 'sqlite' });
    // Key observations (key-history): a file of https issuers, with enrollment only.
    const observed = join(f.dir, 'observed.json');
    const observe = async (list: unknown) => {
      await writeFile(observed, JSON.stringify(list));
      return loadEnclaveConfig({ ...enrollment(f.files.real), VEIL_OBSERVED_ISSUERS: observed });
    };
    const issuers = [{ iss: 'https://accounts.google.com', ca: 'system' }, { iss: 'https://login.example', ca: { pem: f.registry.caPem } }];
    assert.deepEqual((await observe(issuers)).options.keyObservations, { issuers });
    for (const bad of [[], [{ iss: 'http://x.example', ca: 'system' }], [{ iss: 'https://x.example' }], [{ iss: 'https://x.example', ca: { pem: 'no' } }],
      [{ iss: 'https://x.example', ca: 'system', extra: 1 }], [issuers[0], issuers[0]]]) {
      await assert.rejects(observe(bad), { code: 'ERR_ENCLAVE_CONFIG', message: /VEIL_OBSERVED_ISSUERS/ }, JSON.stringify(bad));
    }
    await assert.rejects(loadEnclaveConfig({ VEIL_OBSERVED_ISSUERS: observed }), { code: 'ERR_ENCLAVE_CONFIG', message: /configure enrollment/ });
    const bare = await loadEnclaveConfig({});
    assert.equal(bare.options.enrollment, undefined, 'no enrollment configured: attestation and provisioning only');

    // The development profile admits all of it.
    const dev = await loadEnclaveConfig({ VEIL_PROFILE: 'development', VEIL_ENCLAVE_PRODUCER: 'simulation', ...enrollment(f.files.devRenamed), VEIL_UID_SIMULATION_ROOT: f.files.simRoot });
    assert.equal(dev.options.producer, 'simulation');
    assert.deepEqual(dev.enrollment?.providers, ['citizens', 'citizens-2']);
  } finally {
    await f.close();
  }
});

test('the bundle configures enrollment from its environment (development profile) and refuses simulation in production', async () => {
  const f = await fixture();
  const bundle = join(f.dir, 'enclave.mjs');
  const children: Array<ReturnType<typeof spawn>> = [];
  let node: Awaited<ReturnType<typeof runUidService>> | undefined;
  try {
    const TSX = fileURLToPath(import.meta.resolve('tsx'));
    const built = spawnSync(process.execPath, ['--import', TSX, join(IDENTITY_DIR, 'scripts', 'build-enclave.ts'), '--out', bundle], { cwd: resolve(IDENTITY_DIR, '..', '..'), encoding: 'utf8', timeout: 120_000 });
    assert.equal(built.status, 0, built.stderr);
    const measurement = built.stdout.trim();

    // Production (the default profile) refuses to run simulated: exit 2, nothing listens.
    const refused = spawnSync(process.execPath, [bundle], { cwd: f.dir, env: { PATH: process.env.PATH, VEIL_ENCLAVE_PRODUCER: 'simulation', VEIL_ENCLAVE_PORT: '0', VEIL_DATA_DIR: join(f.dir, 'p') }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /ERR_ENCLAVE_CONFIG: the production profile refuses simulated attestation/);
    assert.equal(refused.stdout, '');

    // The identity service's simulation install exists before it starts, so the UID node can pin it.
    const enclaveDir = join(f.dir, 'enclave');
    const identity = await createSimulationProducer({ dataDir: enclaveDir, measurement });
    node = await runUidService({ producer: 'simulation', dataDir: join(f.dir, 'uid'), measurement: M_UID, warn: () => {},
      callers: { measurements: [measurement], allowSimulation: true, simulationRoot: identity.rootPublicKey } });
    const groupPath = join(f.dir, 'group-live.json');
    await writeFile(groupPath, JSON.stringify({ v: 1, type: 'veil-uid-group', threshold: 1, groupPublicKey: node.groupPublicKey,
      nodes: [{ name: node.node, index: node.index, publicShare: node.publicShare, url: node.url }] }));
    const child = spawn(process.execPath, [bundle], {
      cwd: f.dir,
      env: {
        PATH: process.env.PATH, VEIL_PROFILE: 'development', VEIL_ENCLAVE_PRODUCER: 'simulation', VEIL_ENCLAVE_PORT: '0', VEIL_DATA_DIR: enclaveDir,
        VEIL_IDENTITY_PROVIDERS: f.files.dev, VEIL_UID_GROUP: groupPath, VEIL_UID_MEASUREMENTS: M_UID, VEIL_UID_SIMULATION_ROOT: node.simulationRootPath!,
        VEIL_SQLITE_ADDON: SQLITE_ADDON,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const line = await new Promise<string>((res, rej) => {
      let out = '';
      const t = setTimeout(() => rej(new Error(`enclave did not start: ${stderr}`)), 60_000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(t);
          res(out.split('\n')[0]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        rej(new Error(`enclave exited ${code}: ${stderr}`));
      });
    });
    const info = JSON.parse(line);
    assert.equal(info.measurement, measurement);
    assert.equal(info.profile, 'development');
    assert.deepEqual(info.enrollment, { providers: ['dev-registry'], uidNodes: ['uid'], threshold: 1, database: 'sqlite' });

    // A person enrolls through the bundle: attested channel, notarised fetch, UID from the pinned node.
    const conn = await connectIdentityService({ url: info.url, measurements: [measurement], allowSimulation: true, simulationRoot: identity.rootPublicKey });
    const person = f.registry.people[0]!;
    const key = { alg: 'ed25519' as const, secretKey: bytesToHex(generateEphemeralKey().secretKey) };
    const result = await enroll(conn, { provider: 'dev-registry', credential: f.registry.issueCredential(person.id), key });
    assert.equal(result.fields.name, person.name);
  } finally {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      }
    }
    await node?.close();
    await f.close();
  }
});
