// Identity of a proof bundle for idempotent registration: the same proof for the same statement,
// whatever the key order or whitespace the client sent it with.
import type { Bundle } from '../schemas.ts';

export function bundleKey(b: Bundle): string {
  const c = b.claims;
  return JSON.stringify([b.v, b.circuit.name, b.circuit.id, b.crs.id, b.crs.kind, c.iss, c.aud, c.domain, c.epk, c.expiry, c.kid, b.proof]);
}
