export { parseQuote, MAX_QUOTE_BYTES } from './parse-quote.ts';
export type { ParsedQuote, EnclaveReport, TdReport, QuoteTee } from './parse-quote.ts';
export { verifyQuote } from './verify-quote.ts';
export type { VerifyQuoteOptions } from './verify-quote.ts';
export { parseCollateral, collateralFromPcs, splitSignedJson } from './intel-collateral.ts';
export type { QuoteCollateral, TcbResult } from './intel-collateral.ts';
export { applyPolicy, checkPolicy, TEE_TYPES, DEFAULT_TCB_STATUSES } from './policy.ts';
export type { AttestationFacts, AttestationPolicy, TeeType, TcbStatus } from './policy.ts';
export * from './roots.ts';
