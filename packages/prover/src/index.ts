export { prove, type ProveInput } from './prove.ts';
export { verify, type VerifiedMembership, type VerifyExpectations } from './verify.ts';
export { fetchIssuerJwks, type PublishedJwk } from '@veil/crypto/fetch-issuer-jwks';
export { createBackend, type Backend, type BackendOptions } from './create-backend.ts';
export { MembershipBundleSchema, parseBundle, type MembershipBundle } from './bundle.ts';
export {
  AZTEC_CRS_ID,
  TEST_CRS_TAU,
  generateTestCrs,
  generateTestCrsG1,
  getTestCrsId,
  resolveCrsKind,
  testCrsG2,
  testCrsId,
  type CrsBytes,
  type CrsKind,
} from './crs.ts';
export { GROUP_CIRCUIT, MEMBERSHIP_CIRCUIT } from './artifacts.ts';
export { staticArtifacts, type ArtifactLoader, type CircuitInfo, type CompiledProgram, type StaticCircuit } from './artifacts.ts';
export { proveGroup, type GroupProveInput } from './prove-group.ts';
export { verifyGroup, type GroupExpectations, type VerifiedGroupProof } from './verify-group.ts';
export { GroupProofSchema, parseGroupProof, type GroupProof } from './group-bundle.ts';
