/** Messages between the page and `prove.worker.ts`. */
import type { Bundle, IssuerInfo } from '@veil/server/schemas';

export interface ProveRequest {
  /** The ID token: only ever held in memory, in the page and this worker, until proving ends. */
  token: string;
  jwk: { kty: string; kid?: string; n?: string; e?: string; alg?: string; use?: string };
  epk: string;
  salt: string;
  /** Unix seconds. */
  expiry: number;
  /** The statement the server admits for the chosen issuer: it picks the circuit. */
  variant: IssuerInfo['variant'];
  /** entra: the email domain to bind, when the board names email domains for the issuer. */
  emailDomain?: string;
  /** Base URL of the prover artifacts (circuit, verification key, CRS). */
  artifacts: string;
  crs: string;
  threads: number;
}

export type ProveStage = 'loading' | 'inputs' | 'witness' | 'proving' | 'done';

export type ProveEvent =
  | { type: 'stage'; stage: ProveStage; at: number }
  | { type: 'done'; bundle: Bundle; ms: number }
  | { type: 'error'; code: string; message: string };
