// Signing keys of the dev issuer, persisted as JSON in its data dir. The newest key signs; keys
// retired by a rotation stay published for a grace period, then are dropped from the JWKS (so a
// verifier that did not record them loses them — which is what the server's key registry is for).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';

export interface StoredKey {
  kid: string;
  privateJwk: JWK;
  createdAt: number;
  retiredAt: number | null;
}

interface StoreFile {
  keys: StoredKey[];
  cookieKeys: string[];
  adminToken: string;
}

export class KeyStore {
  readonly #path: string;
  #file: StoreFile;

  constructor(dir: string, now: number) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#path = join(dir, 'keys.json');
    if (existsSync(this.#path)) {
      this.#file = JSON.parse(readFileSync(this.#path, 'utf8')) as StoreFile;
    } else {
      this.#file = { keys: [], cookieKeys: [randomBytes(32).toString('base64url')], adminToken: randomBytes(24).toString('base64url') };
    }
    if (this.#file.keys.length === 0) this.#file.keys.push(newKey(now));
    this.#save();
  }

  get adminToken(): string {
    return this.#file.adminToken;
  }

  get cookieKeys(): string[] {
    return this.#file.cookieKeys;
  }

  /** Keys still published at `now`, newest first (the first one signs). */
  published(now: number, graceMs: number): StoredKey[] {
    return this.#file.keys
      .filter((k) => k.retiredAt === null || now < k.retiredAt + graceMs)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Makes a fresh signing key current and retires the others (they stay published for the grace period). */
  rotate(now: number): StoredKey {
    for (const k of this.#file.keys) if (k.retiredAt === null) k.retiredAt = now;
    const k = newKey(now + 1);
    this.#file.keys.push(k);
    this.#save();
    return k;
  }

  #save(): void {
    const tmp = `${this.#path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#file, null, 2), { mode: 0o600 });
    renameSync(tmp, this.#path);
  }
}

function newKey(now: number): StoredKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = thumbprint(jwk);
  return { kid, privateJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' }, createdAt: now, retiredAt: null };
}

// RFC 7638 thumbprint of an RSA key, computed synchronously (jose's is async).
function thumbprint(jwk: JWK): string {
  const json = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  return createHash('sha256').update(json).digest('base64url');
}
