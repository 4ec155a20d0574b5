/**
 * `startServer(config)`: wires storage, the dev issuer (development profile), the issuer key
 * registry, the warm proof verifier and the web app into `buildApp`, then listens. Nothing here is
 * needed by tests that use `buildApp` + `inject` directly.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DevIssuer } from '@veil/dev-issuer';
import type { DevRegistry } from '@veil/dev-registry';
import type { Backend } from '@veil/prover';
import type { Variant } from '@veil/crypto';
import { buildApp } from './build-app.ts';
import { defaultOrigins, type ServerConfig } from './config.ts';
import { KeyRegistry, describeFailure, discover, type RegistryIssuer } from './lib/key-registry.ts';
import { collectKeyObservations } from './lib/key-observations.ts';
import { proverVerifier } from './lib/prover-verifier.ts';
import { openPostgresStorage } from './storage/postgres.ts';
import { openSqliteStorage } from './storage/sqlite.ts';
import type { Storage } from './storage/types.ts';
import type { IdentityInfo } from './lib/context.ts';

export interface StartOptions {
  config: ServerConfig;
  /** Built web app directory (default: none, `/` is a 404). */
  webDist?: string;
  logger?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  storage: Storage;
  devIssuer?: DevIssuer;
  /** The development data provider (development profile), its provider entry in `devRegistry.provider`. */
  devRegistry?: DevRegistry;
  close(): Promise<void>;
}

/** A free loopback port (bind to 0, read, release) — the dev issuer's URL must embed the port. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * @example
 * import { loadConfig, startServer } from '@veil/server';
 * const server = await startServer({ config: loadConfig({ port: 8080 }) });
 */
export async function startServer(o: StartOptions): Promise<RunningServer> {
  const { config } = o;
  if (config.port === 0) throw new TypeError('config.port must be a concrete port (use freePort()): the dev issuer URL embeds it');
  mkdirSync(config.dataDir, { recursive: true });
  const storage = config.databaseUrl
    ? await openPostgresStorage({ connectionString: config.databaseUrl })
    : openSqliteStorage({ path: join(config.dataDir, 'veil.sqlite') });

  const origins = config.origins ?? defaultOrigins(config.host, config.port);
  const devEntry = config.issuers.find((i) => i.kind === 'dev');
  const devIssuer = devEntry
    ? await (await import('@veil/dev-issuer')).createDevIssuer({
        issuer: devEntry.iss,
        dataDir: join(config.dataDir, 'dev-issuer'),
        clientId: devEntry.aud,
        redirectUris: origins.flatMap((u) => [`${u}/callback`, `${u}/`]),
        graceSeconds: config.devIssuer.graceSeconds,
      })
    : undefined;

  const registryIssuers: RegistryIssuer[] = config.issuers.map((i) => {
    if (i.kind === 'dev') return { iss: i.iss, jwks: { load: () => devIssuer!.jwks() } };
    if (!i.jwks) return { iss: i.iss, jwks: { discover: i.iss } };
    return { iss: i.iss, jwks: /^https?:\/\//.test(i.jwks) ? { url: i.jwks } : { file: i.jwks } };
  });
  // Issuers without a configured authorization endpoint get it from discovery when reachable.
  const issuers = await Promise.all(
    config.issuers.map(async (i) => {
      if (i.kind === 'dev' || i.authorizationEndpoint) return i;
      const d = await discover(i.iss).catch(() => undefined);
      return typeof d?.authorization_endpoint === 'string' ? { ...i, authorizationEndpoint: d.authorization_endpoint } : i;
    }),
  );
  const resolved: ServerConfig = { ...config, issuers };
  let log: FastifyInstance['log'] | undefined;
  // Where notarised key observations come from (lib/key-observations.ts): the configured identity
  // service, else the one started below when it observes this board's https issuers.
  let observationsFrom = config.keyObservations?.from;
  const collect = (iss: string): void => {
    if (!observationsFrom || !iss.startsWith('https://')) return;
    collectKeyObservations({ storage, from: observationsFrom, iss, now: Date.now }).then(
      (r) => { if (r.refused.length > 0) log?.warn({ iss, refused: r.refused }, 'key observations refused'); },
      (e: unknown) => log?.warn(`key observations of ${iss} unavailable: ${describeFailure(e)}`),
    );
  };
  const registry = new KeyRegistry({
    storage, issuers: registryIssuers, now: Date.now, onRefreshed: collect,
    onConflict: (c) => log?.warn({ iss: c.iss, kid: c.kid, jwk: c.jwk }, 'issuer re-published a kid with other key material; keeping the key first seen (see /api/keys conflicts)'),
  });

  // Loaded here, not at module load: importing @veil/server must not pull in bb.js.
  const { createBackend } = await import('@veil/prover');
  const { nodeArtifacts } = await import('@veil/prover/artifacts-node');
  const { loadTestCrs, testCrsDir } = await import('@veil/prover/crs-node');
  const { CIRCUITS_DIR } = await import('@veil/circuits/build');
  const artifacts = nodeArtifacts();
  const backend: Backend = await createBackend({ crs: config.crs, artifacts });
  const circuits = await artifacts.circuits().catch(() => []);
  // The configured set, of the circuits the manifest accepts (current + not-yet-expired accepted-until;
  // the verifier re-checks the date of each bundle's circuit).
  const warnings: string[] = [];
  const acceptedCircuits = circuits.map((c) => c.id).filter((id) => config.circuits === undefined || config.circuits.includes(id));
  const provableVariants = [...new Set(circuits.filter((c) => c.variant !== undefined && c.acceptedUntil === undefined && acceptedCircuits.includes(c.id)).map((c) => c.variant as Variant))];
  for (const i of config.issuers) {
    if (!provableVariants.includes(i.variant)) warnings.push(`${i.label}: no accepted circuit proves the ${i.variant} statement yet: its sign-ins are refused (ERR_VARIANT_UNSUPPORTED)`);
  }
  const artifactDirs = [CIRCUITS_DIR];
  if (acceptedCircuits.length === 0) warnings.push('no membership circuit is available: every membership will be refused (ERR_CIRCUIT_UNKNOWN)');
  else if (config.crs === 'test') {
    // Compile the circuit and make sure the browser prover finds enough test-CRS points.
    try {
      const { dyadic } = await backend.circuitSize();
      await loadTestCrs(dyadic + 1);
    } catch (e) {
      warnings.push(`prover artifacts not ready (${e instanceof Error ? e.message : String(e)}): browsers cannot prove yet`);
    }
  }
  if (config.crs === 'test') artifactDirs.push(testCrsDir());
  const verifyMembership = proverVerifier(backend);

  // The development data provider: HTTPS on loopback whatever `host` is, its CA kept in the data dir.
  const devRegistry = config.devRegistry?.enabled
    ? await (await import('@veil/dev-registry')).startDevRegistry({ dataDir: join(config.dataDir, 'dev-registry'), host: '127.0.0.1' })
    : undefined;

  // The attested identity service beside the board (its own listener; simulation in development).
  // Development profile with simulated attestation and the dev registry: the whole identity flow on
  // loopback — enrollment through the dev registry, and a simulated single-key UID node mutually
  // attested with the identity service. The production profile refuses simulation and the dev
  // registry (config.ts), so none of these development components can run there.
  let enclave: { url: string; type: string; simulated: boolean; measurement: string; channelPublicKey: string; enrollment?: { info(): IdentityInfo; registrarKey(): string | undefined }; close(): Promise<void> } | undefined;
  if (config.enclave.producer !== 'none') {
    const { startEnclaveService } = await import('@veil/identity/start-enclave-service');
    let enrollment: Parameters<typeof startEnclaveService>[0]['enrollment'];
    if (devRegistry && config.profile === 'development' && config.enclave.producer === 'simulation') {
      const { setupEnrollment } = await import('@veil/identity/enroll/setup');
      const { beginNotarisedFetch } = await import('@veil/identity/notary');
      enrollment = setupEnrollment({
        dataDir: join(config.dataDir, 'enclave'),
        ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
        providers: [devRegistry.provider],
        beginFetch: (p) => beginNotarisedFetch(p as Parameters<typeof beginNotarisedFetch>[0]),
        uid: { dev: { dataDir: join(config.dataDir, 'uid'), warn: (m) => warnings.push(m) } },
        // Development: the identity service's registrar feeds this board's group trees.
        registrar: { boardUrl: `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${config.port}` },
        // member:<domain> groups take ID tokens of the issuers this board accepts, for its client ids.
        memberIssuers: config.issuers.map((i) => ({ iss: i.iss, aud: i.aud })),
      });
    }
    // The identity service observes the board's https issuers (system roots); the dev issuer is
    // plain HTTP on loopback, so its keys are never observed.
    const observed = config.issuers.filter((i) => i.iss.startsWith('https://')).map((i) => ({ iss: i.iss, ca: 'system' as const }));
    enclave = await startEnclaveService({
      producer: config.enclave.producer, host: config.host, port: 0, dataDir: join(config.dataDir, 'enclave'),
      warn: (m) => warnings.push(m),
      ...(enrollment ? { enrollment } : {}),
      ...(enrollment && observed.length > 0 ? { keyObservations: { issuers: observed, everyMs: Math.max(60_000, Math.round(config.keyRefreshSeconds * 1000)) } } : {}),
    });
    if (enrollment && observed.length > 0) observationsFrom ??= enclave.url;
  }

  // Development: the board trusts the registrar of the identity service it started.
  const devRegistrarKey = enclave?.enrollment?.registrarKey();
  if (devRegistrarKey && (resolved.groups?.registrarKey ?? null) === null) resolved.groups = { rootWindowMinutes: 10, ...resolved.groups, registrarKey: devRegistrarKey };
  else if (devRegistrarKey && resolved.groups?.registrarKey !== devRegistrarKey) warnings.push('groups.registrarKey is not the development registrar\'s key: joining groups will be refused');
  const app = await buildApp({
    config: resolved, storage, registry, verifyMembership, acceptedCircuits, provableVariants,
    verifyGroupProof: (proof, expect) => backend.verifyGroup(proof, expect),
    ...(devIssuer ? { devIssuer } : {}),
    ...(o.webDist ? { webDist: o.webDist } : {}),
    artifactDirs,
    ...(enclave ? { enclave: { url: enclave.url, type: enclave.type, simulated: enclave.simulated, measurement: enclave.measurement, channelPublicKey: enclave.channelPublicKey } } : {}),
    ...(devRegistry ? {
      devRegistry: { name: devRegistry.provider.name, url: devRegistry.url, caPem: devRegistry.caPem },
      devRegistryAccess: { people: devRegistry.people.map((p) => ({ id: p.id, name: p.name })), issueCredential: (id: string) => devRegistry.issueCredential(id) },
    } : {}),
    ...(enclave?.enrollment ? { identity: enclave.enrollment.info() } : {}),
    logger: o.logger === false ? false : { level: 'info', base: { profile: config.profile } },
  });
  log = app.log;
  for (const w of warnings) app.log.warn(w);
  if (devRegistry) app.log.warn(`DEVELOPMENT data provider (dev registry, anyone can get anyone's credential) at ${devRegistry.url}`);
  await app.listen({ host: config.host, port: config.port });
  // One line per failure (no stack): the state is also in /api/config and on the sign-in page.
  await registry.start(config.keyRefreshSeconds * 1000, (e) => app.log.warn(`issuer keys unavailable: ${describeFailure(e)}`));
  const url = `http://${config.host}:${config.port}`;
  return {
    app, url, storage,
    ...(devIssuer ? { devIssuer } : {}),
    ...(devRegistry ? { devRegistry } : {}),
    async close() {
      registry.stop();
      await app.close();
      await enclave?.close();
      await devRegistry?.close();
      await backend.destroy();
      await storage.close();
    },
  };
}
