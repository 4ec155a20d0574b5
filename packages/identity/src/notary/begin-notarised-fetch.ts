/**
 * Notarised fetch: the identity service fetches a person's record from a data provider over TLS it
 * opens itself, while the person's credential stays with the person ("masking material").
 *
 * Steps, in order:
 *  1. The provider entry is validated (parseProviderConfig); method GET, path and Host come from it.
 *  2. TCP to the provider, then Node's own TLS client over a Duplex the service controls
 *     (lib/record-wire.ts): TLS 1.3 only, TLS_AES_128_GCM_SHA256 only, trust anchors = the pinned CA
 *     (or Node's root store for `"system"`), host name checked by Node's default
 *     `checkServerIdentity` (never overridden). Nothing of the request exists before `secureConnect`,
 *     and Node emits that only for a verified chain and host name.
 *  3. The request is written with a hole of the declared credential length (placeholder bytes) as
 *     the value of the credential header, the last header. Node encrypts it; the wire holds the
 *     records, checks that they carry exactly these bytes, and so knows each record's offset.
 *  4. `mask` = the AES-GCM keystream over the hole (ciphertext ⊕ placeholder), from the client
 *     application traffic secret (Node's `keylog` event, RFC 8446 key schedule).
 *  5. `complete(masked)`: masked = credential ⊕ mask, computed by the client. The service writes it
 *     over the hole's ciphertext, in every record the hole spans, recomputes each GCM tag from the
 *     old and new ciphertexts (lib/tls13-record.ts), sends, and Node decrypts the answer.
 *  6. The answer must be 2xx, JSON, at most `maxBodyBytes`, with a string at each field's path.
 *
 * Trust: what this proves and what it does not is in packages/identity/README.md ("Notarised
 * fetch"). The service never forms the credential: it holds the mask and the masked credential,
 * and only ever combines ciphertexts — but it holds the session keys, so a compromised service could.
 * Not checked: the credential's characters (the service cannot see them; `maskCredential` checks on
 * the client side), revocation of the provider's certificate (no OCSP/CRL), anything after the
 * first response.
 */
import { isIP, connect as netConnect } from 'node:net';
import { request, type IncomingMessage } from 'node:http';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { VeilError } from '@veil/crypto';
import { parseProviderConfig, type ProviderConfig } from './parse-provider-config.ts';
import { selectJsonPath } from './lib/json-path.ts';
import { RecordWire } from './lib/record-wire.ts';
import { RECORD_HEADER_BYTES, SUITE, deriveTrafficKeys, patchRecordCiphertext } from './lib/tls13-record.ts';

export interface NotarisedFetchOptions {
  /** Opens the byte stream to the provider (default: TCP to host:port). */
  connect?: (host: string, port: number) => Duplex;
  /** Limit for each phase: connect + handshake, and request → end of answer. Default 15 s. */
  timeoutMs?: number;
  /** Largest answer body accepted. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Largest TLS record plaintext Node sends (512–16384); small values split the request. */
  maxSendFragment?: number;
}

export interface NotarisedRecord {
  status: number;
  /** The raw strings at the provider's JSON paths (not canonicalised). */
  record: { name: string; birthdate: string; nationality: string };
  /** Time spent waiting on the provider: TCP + TLS handshake, and request → end of answer. */
  providerTimeMs: number;
}

export interface NotarisedFetch {
  /** The keystream over the credential's span; length = the provider's credential length. */
  readonly mask: Uint8Array;
  /** Where the request sits in TLS records (offsets in the request bytes), and the credential's span. */
  readonly layout: { readonly records: ReadonlyArray<{ start: number; length: number }>; readonly hole: { start: number; length: number } };
  /**
   * Sends the request with `maskedCredential` (= credential ⊕ mask) in the span and returns the answer.
   * @throws VeilError ERR_PROVIDER_CREDENTIAL_LENGTH, ERR_PROVIDER_STATUS, ERR_PROVIDER_NOT_JSON,
   *   ERR_PROVIDER_BODY_TOO_LARGE, ERR_PROVIDER_FIELD_MISSING, ERR_PROVIDER_FIELD_INVALID,
   *   ERR_PROVIDER_TIMEOUT, ERR_PROVIDER_CONNECTION, ERR_PROVIDER_SESSION_STATE
   */
  complete(maskedCredential: Uint8Array): Promise<NotarisedRecord>;
  /** Closes the connection; a pending or later `complete` fails with ERR_PROVIDER_SESSION_STATE. */
  abort(): void;
}

const MAX_FIELD_CHARS = 1024;
const PLACEHOLDER = 0x78; // 'x': never sent, only encrypted locally to learn the keystream

function providerError(code: string, message: string, cause?: unknown): VeilError {
  return new VeilError(code, message, cause === undefined ? undefined : { cause });
}

/** Maps a Node TLS/socket failure to a coded error (the message names the provider, not the data). */
function connectionError(name: string, e: unknown): VeilError {
  if (e instanceof VeilError) return e;
  const code = (e as { code?: string }).code ?? '';
  const msg = e instanceof Error ? e.message : String(e);
  if (/CERT|SELF_SIGNED|UNABLE_TO_|ALTNAME|HOSTNAME|ISSUER|CHAIN|TLS|SSL/i.test(code)) {
    return providerError('ERR_PROVIDER_TLS', `${name}: TLS verification failed (${code}: ${msg})`, e);
  }
  return providerError('ERR_PROVIDER_CONNECTION', `${name}: connection failed (${code || msg})`, e);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(providerError('ERR_PROVIDER_TIMEOUT', `${what}: no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Opens a verified TLS session to the provider and prepares the request; see the file header.
 * @example
 * import { beginNotarisedFetch } from '@veil/identity/notary';
 * import { maskCredential } from '@veil/identity/notary/mask-credential';
 * const session = await beginNotarisedFetch(providerConfig);
 * const masked = maskCredential(providerConfig, session.mask, credential); // on the user's side
 * const { record } = await session.complete(masked);
 * @throws VeilError ERR_PROVIDER_CONFIG, ERR_PROVIDER_TLS, ERR_PROVIDER_CONNECTION, ERR_PROVIDER_TIMEOUT,
 *   ERR_PROVIDER_TLS_RECORD
 */
export async function beginNotarisedFetch(provider: ProviderConfig, opts: NotarisedFetchOptions = {}): Promise<NotarisedFetch> {
  const p = parseProviderConfig(provider);
  const name = p.config.name;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024;
  const credentialLength = p.config.credential.length;
  if (!(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new TypeError('timeoutMs: a positive integer');
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) throw new TypeError('maxBodyBytes: a positive integer');
  if (opts.maxSendFragment !== undefined && !(Number.isInteger(opts.maxSendFragment) && opts.maxSendFragment >= 512 && opts.maxSendFragment <= 16384)) {
    throw new TypeError('maxSendFragment: an integer 512-16384');
  }

  const started = performance.now();
  // No Nagle: the held request leaves as one small write after the handshake's last flight, and
  // waiting for the provider's delayed ACK would add ~40 ms to every fetch.
  const raw = opts.connect ? opts.connect(p.host, p.port) : netConnect({ host: p.host, port: p.port, noDelay: true });
  const wire = new RecordWire(raw);
  const socket: TLSSocket = tlsConnect({
    socket: wire,
    host: p.host,
    ...(isIP(p.host) ? {} : { servername: p.host }),
    ...(p.ca ? { ca: p.ca } : {}),
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ciphers: SUITE,
    rejectUnauthorized: true,
  });
  socket.on('keylog', (line: Buffer) => {
    const [label, , secretHex] = line.toString('latin1').trim().split(' ');
    if (!secretHex) return;
    if (label === 'CLIENT_HANDSHAKE_TRAFFIC_SECRET') wire.handshakeKeys = deriveTrafficKeys(Buffer.from(secretHex, 'hex'));
    if (label === 'CLIENT_TRAFFIC_SECRET_0') wire.applicationKeys = deriveTrafficKeys(Buffer.from(secretHex, 'hex'));
  });
  const destroy = () => {
    socket.destroy();
    wire.destroy();
  };
  // Every failure after this point surfaces through `failed` (and never as an unhandled 'error').
  let fail!: (e: VeilError) => void;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  socket.on('error', (e) => fail(connectionError(name, e)));
  wire.on('error', (e) => fail(connectionError(name, e)));

  const closedEarly = new Promise<never>((_, reject) => socket.once('close', () => reject(providerError('ERR_PROVIDER_CONNECTION', `${name}: connection closed during the handshake`))));
  closedEarly.catch(() => {});
  await withTimeout(
    Promise.race([new Promise<void>((resolve) => socket.once('secureConnect', () => resolve())), failed, closedEarly]),
    timeoutMs, `${name}: TLS handshake`, destroy,
  ).catch((e) => {
    destroy();
    throw e;
  });
  // Node emits secureConnect only after its own chain and host name checks; these hold by
  // construction and are asserted so that a changed default can never slip through silently.
  const cipher = socket.getCipher();
  if (!socket.authorized || socket.getProtocol() !== 'TLSv1.3' || cipher.standardName !== SUITE || !wire.applicationKeys) {
    destroy();
    throw providerError('ERR_PROVIDER_TLS', `${name}: session is not TLS 1.3 ${SUITE} with a verified certificate`);
  }
  const handshakeMs = performance.now() - started;
  if (opts.maxSendFragment !== undefined) socket.setMaxSendFragment(opts.maxSendFragment);

  // The request: everything fixed by the provider entry; the credential header is last, so the
  // span ends right before the final CRLF CRLF.
  const { header, prefix } = p.config.credential;
  const placeholder = String.fromCharCode(PLACEHOLDER).repeat(credentialLength);
  const headers = ['Host', p.authority, 'Accept', 'application/json', 'Connection', 'close', header, `${prefix}${placeholder}`];
  const head = `GET ${p.target} HTTP/1.1\r\n${Array.from({ length: headers.length / 2 }, (_, i) => `${headers[2 * i]}: ${headers[2 * i + 1]}\r\n`).join('')}\r\n`;
  const bytes = new TextEncoder().encode(head);
  const holeStart = bytes.length - 4 - credentialLength;
  const captured = wire.expectRequest(bytes);

  const req = request({ method: 'GET', path: p.target, headers, setHost: false, createConnection: () => socket as unknown as never });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', (e) => reject(connectionError(name, e)));
  });
  response.catch(() => {});
  req.end();

  const records = await withTimeout(Promise.race([captured, failed]), timeoutMs, `${name}: request encryption`, destroy).catch((e) => {
    destroy();
    throw e;
  });
  const spans = records
    .map((r, index) => ({ ...r, index, from: Math.max(r.start, holeStart), to: Math.min(r.start + r.length, holeStart + credentialLength) }))
    .filter((r) => r.from < r.to);
  const mask = new Uint8Array(credentialLength);
  for (const s of spans) {
    for (let i = s.from; i < s.to; i++) mask[i - holeStart] = s.record[RECORD_HEADER_BYTES + i - s.start]! ^ bytes[i]!;
  }

  let state: 'ready' | 'used' | 'aborted' = 'ready';
  const complete = async (maskedCredential: Uint8Array): Promise<NotarisedRecord> => {
    if (state !== 'ready') throw providerError('ERR_PROVIDER_SESSION_STATE', `${name}: this session was already ${state}`);
    state = 'used';
    try {
      if (!(maskedCredential instanceof Uint8Array) || maskedCredential.length !== credentialLength) {
        throw providerError('ERR_PROVIDER_CREDENTIAL_LENGTH', `${name}: the masked credential must be ${credentialLength} bytes`);
      }
      const patched = new Map<number, Uint8Array>();
      for (const s of spans) {
        patched.set(s.index, patchRecordCiphertext(wire.applicationKeys!.hashKey, s.record, s.from - s.start, maskedCredential.subarray(s.from - holeStart, s.to - holeStart)));
      }
      const sent = performance.now();
      wire.release(patched);
      const res = await withTimeout(Promise.race([response, failed]), timeoutMs, `${name}: answer`, destroy);
      const body = await withTimeout(Promise.race([readBody(res, name, maxBodyBytes), failed]), timeoutMs, `${name}: answer body`, destroy);
      const providerTimeMs = handshakeMs + (performance.now() - sent);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) throw providerError('ERR_PROVIDER_STATUS', `${name}: HTTP ${status}`);
      const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
        throw providerError('ERR_PROVIDER_NOT_JSON', `${name}: answer is ${type || 'untyped'}, not JSON`);
      }
      let doc: unknown;
      try {
        doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
      } catch {
        throw providerError('ERR_PROVIDER_NOT_JSON', `${name}: answer body is not UTF-8 JSON`);
      }
      const field = (k: 'name' | 'birthdate' | 'nationality'): string => {
        const v = selectJsonPath(doc, p.fields[k]);
        if (v === undefined || v === null) throw providerError('ERR_PROVIDER_FIELD_MISSING', `${name}: no ${k} at ${p.config.fields[k]}`);
        if (typeof v !== 'string' || v.length === 0 || v.length > MAX_FIELD_CHARS) {
          throw providerError('ERR_PROVIDER_FIELD_INVALID', `${name}: ${k} at ${p.config.fields[k]} is not a string of 1-${MAX_FIELD_CHARS} characters`);
        }
        return v;
      };
      return { status, record: { name: field('name'), birthdate: field('birthdate'), nationality: field('nationality') }, providerTimeMs };
    } finally {
      destroy();
    }
  };
  const abort = (): void => {
    if (state === 'ready') state = 'aborted';
    fail(providerError('ERR_PROVIDER_SESSION_STATE', `${name}: session aborted`));
    destroy();
  };
  const layout = Object.freeze({ records: records.map(({ start, length }) => ({ start, length })), hole: { start: holeStart, length: credentialLength } });
  return Object.freeze({ mask, layout, complete, abort });
}

async function readBody(res: IncomingMessage, name: string, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > max) {
    res.destroy();
    throw providerError('ERR_PROVIDER_BODY_TOO_LARGE', `${name}: answer of ${declared} bytes exceeds ${max}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > max) {
        res.destroy();
        throw providerError('ERR_PROVIDER_BODY_TOO_LARGE', `${name}: answer exceeds ${max} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    throw connectionError(name, e);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

