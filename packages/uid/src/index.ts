// @veil/uid (runtime-agnostic part): the VOPRF/threshold primitives, the formats, the bindings and
// the identity service's client. The HTTP app and the service runner are Node-only subpaths.
export { blindInputs } from './blind.ts';
export type { BlindedInput } from './blind.ts';
export { evaluateBlinded, MAX_BATCH } from './evaluate.ts';
export type { PartialEvaluation } from './evaluate.ts';
export { verifyPartial } from './verify-partial.ts';
export type { PartialToVerify } from './verify-partial.ts';
export { combinePartials, lagrangeAtZero, lagrangeAt, MAX_NODES } from './combine.ts';
export type { VerifiedPartial } from './combine.ts';
export { finalizeUids, finalizeVerifiedUids } from './finalize.ts';
export { generateShares, groupFile } from './generate-shares.ts';
export type { GeneratedShares } from './generate-shares.ts';
export { parseShareFile, parseUidGroup, ShareFile, UidGroup, UidGroupNode, PublicShare } from './share-file.ts';
export { deriveNodeReportData, deriveEvaluateReportData, UID_REPORT_DATA_TAGS } from './report-data.ts';
export { verifyAttestedEvidence, aTrustPolicy } from './verify-evidence.ts';
export type { TrustPolicy, SgxQuoteVerifier, VerifiedFacts } from './verify-evidence.ts';
export { verifyUidNodeEvidence, createNodeVerifier } from './verify-node.ts';
export type { VerifyUidNodeOptions, NodeVerifierOptions } from './verify-node.ts';
export { deriveUid, deriveUids } from './derive-uid.ts';
export type { AttestCaller, DeriveUidClientOptions, DeriveUidsResult } from './derive-uid.ts';
export { UidNodeError, UidThresholdError } from './errors.ts';
export type { UidNodeFailure } from './errors.ts';
