// Moved to @veil/crypto (the identity service reads issuer keys too); this subpath stays for the
// web app and the CLI.
export { fetchIssuerJwks, type PublishedJwk } from '@veil/crypto/fetch-issuer-jwks';
