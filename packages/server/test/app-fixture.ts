// Builds the app for inject tests on the storage under test. Memberships that message/like tests
// need are written with `seedMembership` exactly as POST /api/memberships stores them after a
// successful verification (that route is tested with real proofs in memberships tests); the
// message and like routes trust only the stored row, which is what is under test there.
import type { Variant } from '@veil/crypto';
import { buildApp, DEFAULT_RATE_LIMIT, KeyRegistry, type HttpLimits, type IssuerKind, type ServerConfig, type Storage, type MembershipVerifier, type RateLimitConfig, type GroupProofVerifier, type EnclaveInfo } from '@veil/server';
import { BOARD_ORIGIN, fileIssuer, makeStorage, newKey, type TestKey } from './helpers.ts';

export const CIRCUIT_ID = 'c1'.repeat(32);

export interface Fixture {
  app: Awaited<ReturnType<typeof buildApp>>;
  storage: Storage;
  registry: KeyRegistry;
  issuer: ReturnType<typeof fileIssuer>;
  clock: { t: number };
  config: ServerConfig;
  seedMembership(group: string, opts?: { expiry?: number; key?: TestKey }): Promise<TestKey>;
  close(): Promise<void>;
}

export const refuseVerify: MembershipVerifier = async () => {
  throw new Error('the proof verifier must not be reached in this test');
};

export interface FixtureOptions {
  rateLimit?: Partial<RateLimitConfig>;
  verify?: MembershipVerifier;
  circuits?: string[];
  storage?: Storage;
  /** The one origin signed requests must name (default BOARD_ORIGIN). */
  origin?: string;
  http?: HttpLimits;
  groups?: ServerConfig['groups'];
  verifyGroup?: GroupProofVerifier;
  /** The configured issuer (default: an `oidc` issuer at https://issuer.test). */
  issuer?: { iss?: string; kind?: IssuerKind; variant?: Variant };
  /** An identity service the board relays to. */
  enclave?: EnclaveInfo;
}

export async function makeFixture(o: FixtureOptions = {}): Promise<Fixture> {
  const storage = o.storage ?? (await makeStorage());
  const issuer = fileIssuer(o.issuer?.iss);
  const clock = { t: Date.UTC(2026, 0, 10, 12, 0, 0) };
  const now = () => clock.t;
  const config: ServerConfig = {
    profile: 'development', host: '127.0.0.1', port: 0, dataDir: '/nonexistent', crs: 'test',
    issuers: [{ id: 'test', kind: o.issuer?.kind ?? 'oidc', iss: issuer.iss, aud: issuer.aud, variant: o.issuer?.variant ?? 'oidc', jwks: issuer.file, authorizationEndpoint: `${issuer.iss}/auth`, label: 'Test issuer' }],
    rateLimit: { ...DEFAULT_RATE_LIMIT, postsPerKey: 0, postsPerIp: 0, likesPerKey: 0, likesPerIp: 0, membershipsPerIp: 0,
      groupUpdatesPerIp: 0, pollsPerIp: 0, votesPerIp: 0, groupPostsPerIp: 0, groupLikesPerIp: 0, identityRequestsPerIp: 0, ...o.rateLimit },
    devIssuer: { clientId: 'veil-dev', graceSeconds: 600 }, keyRefreshSeconds: 3600, enclave: { producer: 'none' },
    origins: [o.origin ?? BOARD_ORIGIN], ...(o.http ? { http: o.http } : {}),
    ...(o.groups ? { groups: o.groups } : {}),
  };
  const registry = new KeyRegistry({ storage, issuers: [{ iss: issuer.iss, jwks: { file: issuer.file } }], now, minRefreshMs: 10_000 });
  await registry.refresh(issuer.iss);
  const app = await buildApp({ config, storage, registry, verifyMembership: o.verify ?? refuseVerify, acceptedCircuits: o.circuits ?? [CIRCUIT_ID], now, ...(o.verifyGroup ? { verifyGroupProof: o.verifyGroup } : {}), ...(o.enclave ? { enclave: o.enclave } : {}) });
  return {
    app, storage, registry, issuer, clock, config,
    async seedMembership(group, so = {}) {
      const key = so.key ?? newKey();
      const expiry = so.expiry ?? Math.floor(clock.t / 1000) + 7 * 86400;
      const claims = { iss: issuer.iss, aud: issuer.aud, domain: group, epk: key.publicKey, expiry, kid: issuer.keys[0]!.kid };
      await storage.putMembership({
        epk: key.publicKey, group, iss: issuer.iss, kid: claims.kid, expiry, circuitId: CIRCUIT_ID,
        bundle: { v: 1, circuit: { name: 'membership', id: CIRCUIT_ID }, crs: { id: `test-${'00'.repeat(32)}`, kind: 'test' }, claims, proof: 'c2VlZGVkLXJvdw==' },
        createdAt: clock.t,
      });
      return key;
    },
    async close() {
      await app.close();
      await storage.close();
    },
  };
}
