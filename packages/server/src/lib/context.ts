// What every route plugin receives: storage, registry, verifiers, config, clock, limiter, cache.
import type { GroupExpectations, VerifiedGroupProof, VerifiedMembership } from '@veil/prover';
import type { GroupTrees } from './group-trees.ts';
import type { Variant } from '@veil/crypto';
import type { Bundle } from '../schemas.ts';
import type { ServerConfig } from '../config.ts';
import type { Storage } from '../storage/types.ts';
import type { KeyRegistry } from './key-registry.ts';
import type { RateLimiter } from './rate-limit.ts';

/** The claims a membership proof binds, as returned by a successful verification. */
export type VerifiedClaims = Pick<VerifiedMembership, 'iss' | 'aud' | 'domain' | 'epk' | 'expiry' | 'kid'>;

/**
 * Verifies a proof bundle against the one issuer key the registry holds for its kid (never a key
 * supplied by the client) and the expected issuer/audience. Returns the bound claims or throws a
 * VeilError. The default is @veil/prover `verify`.
 */
export type MembershipVerifier = (
  bundle: Bundle,
  jwks: { keys: Record<string, string>[] },
  expect: { iss: string; aud: string; domain: string; variant: Variant; emailDomain?: readonly string[]; now: number; allowTestCrs: boolean },
) => Promise<VerifiedClaims>;

/** Verifies a group proof for the expected scope, message and roots (default: @veil/prover `verifyGroup`). */
export type GroupProofVerifier = (proof: unknown, expect: GroupExpectations) => Promise<VerifiedGroupProof>;

export interface RouteContext {
  config: ServerConfig;
  storage: Storage;
  registry: KeyRegistry;
  verifyMembership: MembershipVerifier;
  acceptedCircuits: string[];
  /** The statements an accepted membership circuit exists for. */
  provableVariants: Variant[];
  now: () => number;
  limiter: RateLimiter;
  /** First feed pages, serialised: key `${group}|${limit}`. */
  feedCache: Map<string, { body: string; at: number }>;
  /** Whether changes by other instances are being heard (else the cache is bypassed). */
  feeds: { live(): boolean };
  enclave: EnclaveInfo | null;
  verifyGroupProof: GroupProofVerifier;
  groupTrees: GroupTrees;
  devRegistry: DevRegistryInfo | null;
  devRegistryAccess: DevRegistryAccess | null;
  identity: IdentityInfo | null;
}

/** What /api/config says about enrollment at the identity service: providers and UID nodes. */
export interface IdentityInfo {
  providers: string[];
  uidNodes: Array<{ name: string; url: string; measurement?: string }>;
}

/** The dev registry's test people and credentials, relayed for browsers (development profile only). */
export interface DevRegistryAccess {
  people: ReadonlyArray<{ id: string; name: string }>;
  /** A fresh bearer credential for a test person. @throws VeilError ERR_PERSON_UNKNOWN */
  issueCredential(id: string): string;
}

/** What /api/config says about the development data provider (development profile only). */
export interface DevRegistryInfo {
  /** Its provider name in the identity service's provider registry. */
  name: string;
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** The registry's own CA (PEM): clients pin it. */
  caPem: string;
}

/** What /api/config says about the identity service started beside the board. */
export interface EnclaveInfo {
  url: string;
  type: string;
  simulated: boolean;
  measurement: string;
  channelPublicKey: string;
}
