/**
 * The ephemeral identity: an Ed25519 key pair, the salt and expiry bound into the ID token's nonce,
 * and (once proven) the group it is a member of. Stored in IndexedDB.
 *
 * Where the browser supports WebCrypto Ed25519 the private key is generated NON-EXTRACTABLE: script
 * on this origin can ask the browser to sign with it, but can never read its bytes. Otherwise the
 * fallback keeps a @noble/curves secret key in IndexedDB (readable by script on this origin); the
 * UI says which one is in use. Only the raw public key (the `epk`) is ever exported.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromHex, toHex } from './hex.ts';

export type KeyKind = 'webcrypto' | 'noble';

export interface Identity {
  kind: KeyKind;
  /** Non-extractable WebCrypto private key (kind 'webcrypto'). */
  privateKey: CryptoKey | null;
  /** Fallback secret key, hex (kind 'noble'). */
  secretKey: string | null;
  /** Raw Ed25519 public key, 32 bytes lowercase hex. */
  epk: string;
  /** Nonce salt, lowercase hex. */
  salt: string;
  /** Unix seconds after which the membership (and so this key) lapses. */
  expiry: number;
  createdAt: number;
  /** Set once the membership proof was accepted by the server. */
  group: string | null;
  iss: string | null;
}

/** Days a new identity lives (the circuit allows at most 14 after the token's iat). */
export const IDENTITY_DAYS = 7;

const DB = 'veil';
const STORE = 'identity';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await openDb();
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req ? req.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

/** 'current' = the identity in use; 'pending' = generated for a sign-in still being proven. */
export type Slot = 'current' | 'pending';

export async function loadIdentity(slot: Slot = 'current'): Promise<Identity | null> {
  const id = await tx<Identity>('readonly', (s) => s.get(slot));
  return id ?? null;
}

export async function saveIdentity(slot: Slot, id: Identity): Promise<void> {
  await tx('readwrite', (s) => s.put(id, slot));
}

export async function deleteIdentity(slot: Slot): Promise<void> {
  await tx('readwrite', (s) => s.delete(slot));
}

/** The pending identity becomes the current one (the old key is dropped: "new identity"). */
export async function promotePending(group: string, iss: string): Promise<Identity> {
  const pending = await loadIdentity('pending');
  if (!pending) throw new Error('no pending identity');
  const id = { ...pending, group, iss };
  await saveIdentity('current', id);
  await deleteIdentity('pending');
  return id;
}

async function webCryptoKeyPair(): Promise<{ privateKey: CryptoKey; epk: string } | null> {
  try {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    return { privateKey: pair.privateKey, epk: toHex(raw) };
  } catch {
    return null;
  }
}

/** Generates a fresh key, salt and expiry (not yet stored). */
export async function generateIdentity(now = Date.now()): Promise<Identity> {
  const salt = toHex(crypto.getRandomValues(new Uint8Array(16)));
  const expiry = Math.floor(now / 1000) + IDENTITY_DAYS * 86400;
  const base = { salt, expiry, createdAt: now, group: null, iss: null };
  const wc = await webCryptoKeyPair();
  if (wc) return { kind: 'webcrypto', privateKey: wc.privateKey, secretKey: null, epk: wc.epk, ...base };
  const sk = ed25519.utils.randomSecretKey();
  return { kind: 'noble', privateKey: null, secretKey: toHex(sk), epk: toHex(ed25519.getPublicKey(sk)), ...base };
}

/** Ed25519 signature (64 bytes, hex) over `payload` with the identity's key. */
export async function sign(id: Identity, payload: Uint8Array): Promise<string> {
  if (id.kind === 'webcrypto' && id.privateKey) {
    return toHex(new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, id.privateKey, payload as BufferSource)));
  }
  if (id.kind === 'noble' && id.secretKey) return toHex(ed25519.sign(payload, fromHex(id.secretKey)));
  throw new Error('identity holds no usable key');
}

export function isExpired(id: Identity, now = Date.now()): boolean {
  return id.expiry * 1000 <= now;
}
