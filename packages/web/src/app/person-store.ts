/**
 * What this browser keeps about the enrolled person, all in this origin's localStorage:
 * - the enrollment key (Ed25519, hex): signs enrollment and group joins;
 * - the signed claims file from the identity service (facts only: nationality, over 18, unique);
 * - the identity secret of the one-person groups (a field element, hex).
 * localStorage, not a non-extractable WebCrypto key: the secret is a witness of the group circuit,
 * so the prover must read it, and the enrollment key must be exportable for the CLI. Scripts on this
 * origin can read all three; nothing here is ever sent to a server — only the secret's commitment
 * goes to the identity service, encrypted to its attested key, and only proofs go to the board.
 * The "Save" buttons export them in the files the CLI reads (`--key`, `--claims`, `--secret`).
 */
import { bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { generateIdentitySecret } from '@veil/crypto/group/generate-identity-secret';
import type { ClaimsFile, UserSecretKey } from '@veil/identity/enroll';

const KEY_STORE = 'veil-enrollment-key';
const CLAIMS_STORE = 'veil-claims';
const SECRET_STORE = 'veil-group-secret';
const HEX64 = /^[0-9a-f]{64}$/;

/** The enrollment key, made on first use. */
export function enrollmentKey(): UserSecretKey {
  const saved = localStorage.getItem(KEY_STORE);
  if (saved && HEX64.test(saved)) return { alg: 'ed25519', secretKey: saved };
  const secretKey = bytesToHex(generateEphemeralKey().secretKey);
  localStorage.setItem(KEY_STORE, secretKey);
  return { alg: 'ed25519', secretKey };
}

export function saveClaims(claims: ClaimsFile): void {
  localStorage.setItem(CLAIMS_STORE, JSON.stringify(claims));
}

/** The claims file saved at enrollment, or null (not enrolled in this browser). */
export function loadClaims(): ClaimsFile | null {
  try {
    const c = JSON.parse(localStorage.getItem(CLAIMS_STORE) ?? 'null') as ClaimsFile | null;
    return c && typeof c === 'object' && c.claims && typeof c.claims.nationality === 'string' ? c : null;
  } catch {
    return null;
  }
}

/** The identity secret, or null when none was made in this browser yet. */
export function loadSecret(): string | null {
  const s = localStorage.getItem(SECRET_STORE);
  return s && HEX64.test(s) ? s : null;
}

/** The identity secret, made (31 random bytes from WebCrypto) on first use. */
export function identitySecret(): string {
  const saved = loadSecret();
  if (saved) return saved;
  const secret = generateIdentitySecret();
  localStorage.setItem(SECRET_STORE, secret);
  return secret;
}

/** Which person groups the claims admit (the registrar decides; this only picks what to offer). */
export function eligibleGroups(claims: ClaimsFile['claims']): string[] {
  const out: string[] = [];
  if (claims.unique) out.push('human', `country:${claims.nationality}`);
  if (claims.age_over_18) out.push('age:18+');
  return out;
}

/** Saves `text` as a file named `name` (a download; nothing leaves the browser). */
export function download(name: string, text: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}
