/**
 * @veil/identity/enroll: the enrollment flow (runtime-agnostic parts; the storage is the Node-only
 * subpath `@veil/identity/enroll/storage`).
 */
export { canonicaliseRecord, encodeUidInput, ageOn, type PersonRecord } from './canonicalise-record.ts';
export { ReplayCache, MAX_MESSAGE_BYTES, REQUEST_WINDOW_MS, type SealedMessage, type IdentityReply } from './request-envelope.ts';
export { sealIdentityRequest } from './seal-identity-request.ts';
export { openIdentityRequest, type OpenedRequest } from './open-identity-request.ts';
export { aUserPublicKey, signAsUser, publicKeyOf, signedMessages, verifyUserSignature, KEY_ALGS, type KeyAlg, type UserPublicKey } from './user-key.ts';
export { claimsSignerReportData, createClaimsSigner, verifyBoundEvidence, type ClaimsSigner, type EvidenceTrust } from './claims-signer.ts';
export { registrarReportData, verifyRegistrarAttestation, type AttestedRegistrar } from './registrar-attestation.ts';
export { CLAIMS_TYPE, type ClaimsFile, type ClaimSet, type VerifiedClaims } from './claims-file.ts';
export { signClaims } from './sign-claims.ts';
export { verifyClaims } from './verify-claims.ts';
export { createEnrollmentService, type EnrollmentDeps, type EnrollmentService, type NotarisedFetch, type ProviderEntry } from './create-enrollment-service.ts';
export { memberJoinNonce, encodeMemberInput, MEMBER_GROUP } from './member-group.ts';
export { connectIdentityService, enroll, joinGroup, joinMemberGroup, link, participate, type ConnectOptions, type IdentityConnection, type UserSecretKey } from './client.ts';
export { OpBodies, SignerResponse, SealedMessageSchema, type EnrollResult } from './wire.ts';
