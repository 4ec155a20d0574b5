/** Messages between the page and `verify.worker.ts`. */
import type { IssuerInfo, IssuerKey, MessageDetail } from '@veil/server/schemas';
import type { Verdict } from '../verify-post.ts';

export interface VerifyRequest {
  seq: number;
  detail: MessageDetail;
  registry: IssuerKey[];
  issuers: IssuerInfo[];
  /** Base URL of the prover artifacts (circuit, verification key). */
  artifacts: string;
  /** CRS kind the server runs with ('test' accepts test-CRS bundles: development only). */
  crs: string;
}

export interface VerifyReply {
  seq: number;
  verdict: Verdict;
}
