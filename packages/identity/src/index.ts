/**
 * @veil/identity: the attested enclave service; enrollment is at `@veil/identity/enroll`.
 * The barrel holds the runtime-agnostic parts; Node-only parts (the app, the service runner, the
 * reproducible build, provisioning) are subpath exports under the `node` condition.
 */
export { deriveReportData, REPORT_DATA_TAGS, type ReportDataPurpose } from './report-data.ts';
export { generateChannelKey, sealToChannel, type ChannelKey } from './channel.ts';
export { EvidenceQuery, EvidenceResponse, ErrorResponse, MAX_EVIDENCE_BYTES } from './wire.ts';
export { verifyEnclaveEvidence, type VerifyEnclaveEvidenceOptions, type VerifiedEnclave, type SgxQuoteVerifier } from './verify-evidence.ts';
