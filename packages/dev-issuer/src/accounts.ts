/**
 * Development accounts of the dev OpenID Provider. No passwords: the login page lists them as
 * buttons. Two domains so that group separation can be exercised, and one unverified email for
 * negative tests (the circuit requires email_verified = true).
 */
export interface DevAccount {
  sub: string;
  email: string;
  email_verified: boolean;
  hd: string;
  name: string;
}

export const DEV_ACCOUNTS: readonly DevAccount[] = Object.freeze([
  { sub: 'dev-alice', email: 'alice@acme.test', email_verified: true, hd: 'acme.test', name: 'Alice Anders' },
  { sub: 'dev-bob', email: 'bob@acme.test', email_verified: true, hd: 'acme.test', name: 'Bob Brandt' },
  { sub: 'dev-carol', email: 'carol@globex.test', email_verified: true, hd: 'globex.test', name: 'Carol Chen' },
  { sub: 'dev-dave', email: 'dave@globex.test', email_verified: true, hd: 'globex.test', name: 'Dave Dubois' },
  { sub: 'dev-eve', email: 'eve@acme.test', email_verified: false, hd: 'acme.test', name: 'Eve (unverified email)' },
]);
