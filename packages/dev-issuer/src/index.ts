export { createDevIssuer, type DevIssuer, type DevIssuerOptions } from './create-dev-issuer.ts';
export { DEV_ACCOUNTS, type DevAccount } from './accounts.ts';
export { authorizeWithDevIssuer, signInWithDevIssuer, type DevAuthorizeOptions, type DevSignInOptions } from './sign-in.ts';
