// Whether two JWKs are the same RSA public key (kty, n, e); other members (alg, use) may change
// between publications of one key without making it another key.
export function sameKeyMaterial(a: Record<string, string>, b: Record<string, string>): boolean {
  return a.kty === b.kty && a.n === b.n && a.e === b.e;
}
