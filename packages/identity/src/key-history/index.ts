/**
 * @veil/identity/key-history: issuer-key observations. `verifyKeyObservation` is runtime-agnostic
 * (CLI, browser); the observer, the TLS read and the routes are Node-only subpaths
 * (`./key-history/create-key-observer`, `./key-history/fetch-issuer-keys`).
 */
export { verifyKeyObservation, type VerifiedKeyObservation } from './verify-key-observation.ts';
export { signKeyObservation } from './sign-key-observation.ts';
