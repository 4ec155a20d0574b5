/**
 * Reads an issuer's signing keys over TLS the identity service opens and verifies itself, for
 * key observations (create-key-observer.ts). The rules are those of the notarised fetch
 * (notary/begin-notarised-fetch.ts) minus the user's credential, which a JWKS read has none of:
 *  1. OIDC Discovery 1.0 §4: GET `<iss>/.well-known/openid-configuration`; its `issuer` must equal
 *     `iss` exactly (§4.3) — the board and the verifiers apply the same rule;
 *  2. its `jwks_uri` must pass `aJwksUriForIssuer` (https, the issuer's own host or a documented
 *     key host of that issuer): a discovery document pointing elsewhere is refused, nothing is fetched;
 *  3. GET `jwks_uri`; the RSA signing keys (`kty` RSA, `use` sig or absent, `alg` RS256 or absent)
 *     are returned with `n` and `e` exactly as served.
 * Each request: TLS 1.3 only (Node's client), trust anchors = the issuer entry's pinned CAs or
 * Node's root store (`"system"`), host name checked by Node's default `checkServerIdentity`,
 * `rejectUnauthorized`; the session is asserted authorised and TLS 1.3 before the answer is read.
 * No redirects, no cookies, at most `maxBodyBytes` per answer, `timeoutMs` per request.
 * Not checked: certificate revocation (no OCSP/CRL), anything the issuer's own servers do.
 */
import { request } from 'node:https';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { VeilError } from '@veil/crypto';
import { aJwksUriForIssuer } from '@veil/crypto/key-observation';

/** An issuer the service observes: its `iss` and the CAs its TLS certificates chain to. */
export interface ObservedIssuer {
  iss: string;
  /** `{ pem }`: these CA certificates are the only trust anchors; `"system"`: Node's root store. */
  ca: { pem: string } | 'system';
}

export interface IssuerKeys {
  jwks_uri: string;
  keys: Array<{ kid: string; n: string; e: string }>;
}

export interface FetchIssuerKeysOptions {
  /** Per request (connect + TLS + answer). Default 10 s. */
  timeoutMs?: number;
  /** Largest answer body. Default 256 KiB. */
  maxBodyBytes?: number;
}

const fail = (code: string, message: string, cause?: unknown): never => {
  throw new VeilError(code, message, cause === undefined ? undefined : { cause });
};

/** The pinned PEMs of an issuer entry, checked to be CA certificates. */
function trustAnchors(issuer: ObservedIssuer): string[] | undefined {
  if (issuer.ca === 'system') return undefined;
  const pems = issuer.ca?.pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) throw new TypeError(`${issuer.iss}: ca.pem holds no PEM certificate`);
  for (const pem of pems) if (!new X509Certificate(pem).ca) throw new TypeError(`${issuer.iss}: ca.pem holds a certificate that is not a CA`);
  return pems;
}

async function getJson(url: URL, ca: string[] | undefined, o: Required<FetchIssuerKeysOptions>): Promise<unknown> {
  if (url.protocol !== 'https:') fail('ERR_ISSUER_TLS', `${url.origin}: only https is read`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const req = request({
      host, port: url.port || 443, path: `${url.pathname}${url.search}`, method: 'GET', agent: false,
      headers: { accept: 'application/json', connection: 'close' },
      ...(isIP(host) ? {} : { servername: host }),
      ...(ca ? { ca } : {}),
      minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', rejectUnauthorized: true,
      timeout: o.timeoutMs,
    }, (res) => {
      const socket = res.socket as TLSSocket;
      // Node answers only over a verified session; asserted so that a changed default cannot slip by.
      if (!socket.authorized || socket.getProtocol() !== 'TLSv1.3') {
        res.destroy();
        return reject(new VeilError('ERR_ISSUER_TLS', `${url.host}: the session is not TLS 1.3 with a verified certificate`));
      }
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        res.resume();
        return reject(new VeilError('ERR_ISSUER_STATUS', `${url.host}${url.pathname}: HTTP ${status}`));
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > o.maxBodyBytes) {
          res.destroy();
          reject(new VeilError('ERR_ISSUER_BODY_TOO_LARGE', `${url.host}${url.pathname}: answer exceeds ${o.maxBodyBytes} bytes`));
        } else chunks.push(c);
      });
      res.on('error', (e) => reject(new VeilError('ERR_ISSUER_CONNECTION', `${url.host}: ${e.message}`, { cause: e })));
      res.on('end', () => {
        try {
          resolve(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))));
        } catch {
          reject(new VeilError('ERR_ISSUER_NOT_JSON', `${url.host}${url.pathname}: the answer is not UTF-8 JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new VeilError('ERR_ISSUER_TIMEOUT', `${url.host}: no answer within ${o.timeoutMs} ms`)));
    req.on('error', (e) => {
      if (e instanceof VeilError) return reject(e);
      const code = (e as { code?: string }).code ?? '';
      const tls = /CERT|SELF_SIGNED|UNABLE_TO_|ALTNAME|HOSTNAME|ISSUER|CHAIN|TLS|SSL|PROTOCOL/i.test(code);
      reject(new VeilError(tls ? 'ERR_ISSUER_TLS' : 'ERR_ISSUER_CONNECTION', `${url.host}: ${tls ? 'TLS verification failed' : 'connection failed'} (${code || e.message})`, { cause: e }));
    });
    req.end();
  });
}

/**
 * The issuer's RSA signing keys, read over verified TLS 1.3 (see the file header).
 * @example
 * import { fetchIssuerKeys } from '@veil/identity/key-history/fetch-issuer-keys';
 * const { jwks_uri, keys } = await fetchIssuerKeys({ iss: 'https://accounts.google.com', ca: 'system' });
 * @throws VeilError ERR_ISSUER_TLS, ERR_ISSUER_CONNECTION, ERR_ISSUER_TIMEOUT, ERR_ISSUER_STATUS,
 *   ERR_ISSUER_NOT_JSON, ERR_ISSUER_BODY_TOO_LARGE, ERR_ISSUER_DISCOVERY, ERR_OBSERVATION_JWKS_HOST.
 */
export async function fetchIssuerKeys(issuer: ObservedIssuer, opts: FetchIssuerKeysOptions = {}): Promise<IssuerKeys> {
  const o = { timeoutMs: opts.timeoutMs ?? 10_000, maxBodyBytes: opts.maxBodyBytes ?? 256 * 1024 };
  const ca = trustAnchors(issuer);
  const disc = (await getJson(new URL(`${issuer.iss.replace(/\/$/, '')}/.well-known/openid-configuration`), ca, o)) as { issuer?: unknown; jwks_uri?: unknown } | null;
  if (disc?.issuer !== issuer.iss) fail('ERR_ISSUER_DISCOVERY', `the discovery document names issuer ${JSON.stringify(disc?.issuer)}, not ${issuer.iss}`);
  if (typeof disc!.jwks_uri !== 'string') fail('ERR_ISSUER_DISCOVERY', 'the discovery document has no jwks_uri');
  const jwksUri = disc!.jwks_uri as string;
  const doc = (await getJson(aJwksUriForIssuer(issuer.iss, jwksUri), ca, o)) as { keys?: unknown } | null;
  if (!Array.isArray(doc?.keys)) fail('ERR_ISSUER_DISCOVERY', 'the JWKS has no keys array');
  const keys = (doc!.keys as unknown[]).flatMap((k) => {
    const j = k as Record<string, unknown> | null;
    if (!j || j.kty !== 'RSA' || typeof j.kid !== 'string' || typeof j.n !== 'string' || typeof j.e !== 'string') return [];
    if ((j.use !== undefined && j.use !== 'sig') || (j.alg !== undefined && j.alg !== 'RS256')) return [];
    return [{ kid: j.kid, n: j.n, e: j.e }];
  });
  return { jwks_uri: jwksUri, keys };
}
