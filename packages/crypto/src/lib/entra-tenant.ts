/**
 * Microsoft Entra ID facts shared by the entra statement's pre-checks, input builder and verifier
 * (Microsoft identity platform, "ID token claims reference": `tid` is the GUID of the tenant signed
 * in to, `iss` ends in /v2.0 for v2.0 tokens, and 9188040d-6c67-4c5b-b112-36a304b66dad is the
 * personal-accounts tenant). circuits/membership-entra checks the same.
 */

/** Microsoft's personal-accounts (consumers) tenant: not an organisation. */
export const ENTRA_CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
/** A tenant id as the circuit takes it: a lowercase GUID. */
export const TENANT_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The v2.0 issuer of a tenant (global cloud). */
export const entraIssuer = (tid: string): string => `https://login.microsoftonline.com/${tid}/v2.0`;
