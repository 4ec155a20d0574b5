/**
 * The bytes an ephemeral key signs to authenticate an HTTP request (members-only reads):
 * `"veil/request/v2\n"` followed by the RFC 8785 canonical JSON of
 * `{ v: 2, method, origin, path, query, timestamp, epk }`, UTF-8 encoded.
 *
 * `origin` is the server's origin as the client addressed it (`scheme://host[:port]`, the WHATWG
 * URL serialisation: lower-case, default port omitted); the server accepts only its own configured
 * origins, so a request signed for one board is refused by every other (v1 had no origin).
 * `method` is upper-case; `path` is the URL path exactly as sent (starting with `/`, no query);
 * `query` is the raw query string exactly as sent, without the leading `?` (`""` when none). Both
 * sides sign the same octets the client put on the wire, so no query canonicalisation is needed.
 * The signature travels in headers `x-veil-epk`, `x-veil-timestamp`, `x-veil-signature`.
 * Not covered: the request body (signed requests are reads); a signed request can be replayed
 * verbatim to the same server within its clock window (±5 min), which only repeats the same read.
 */
import { canonicalJson } from './lib/canonical-json.ts';
import { ahex, astring, atime, domainSeparated } from './lib/wire-fields.ts';

export interface SignedRequest {
  method: string;
  /** The server's origin, e.g. `https://board.example` (`new URL(base).origin`). */
  origin: string;
  path: string;
  query: string;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  /** The member's ephemeral public key, 32 bytes lowercase hex. */
  epk: string;
}

export const REQUEST_DOMAIN = 'veil/request/v2';

/** Header names carrying a request signature. */
export const REQUEST_HEADERS = Object.freeze({
  epk: 'x-veil-epk',
  timestamp: 'x-veil-timestamp',
  signature: 'x-veil-signature',
});

/**
 * Canonical signing payload of an HTTP request.
 * @example
 * import { encodeRequest } from '@veil/crypto/encode-request';
 * const bytes = encodeRequest({ method: 'GET', origin: 'https://board.example', path: '/api/messages', query: 'group=acme.test', timestamp: Date.now(), epk });
 * @throws TypeError when a field is missing or malformed.
 */
export function encodeRequest(req: SignedRequest): Uint8Array {
  if (typeof req !== 'object' || req === null) throw new TypeError('request must be an object');
  if (typeof req.method !== 'string' || !/^[A-Z]+$/.test(req.method)) throw new TypeError('method must be upper-case letters');
  if (typeof req.path !== 'string' || !req.path.startsWith('/') || req.path.includes('?')) {
    throw new TypeError('path must start with "/" and hold no query');
  }
  if (typeof req.query !== 'string' || req.query.startsWith('?')) throw new TypeError('query must be a string without the leading "?"');
  if (typeof req.origin !== 'string' || !isOrigin(req.origin)) throw new TypeError('origin must be an http(s) origin as new URL(...).origin serialises it');
  const fields = {
    v: 2,
    method: req.method,
    origin: req.origin,
    path: astring('path', req.path),
    query: astring('query', req.query),
    timestamp: atime('timestamp', req.timestamp),
    epk: ahex('epk', req.epk, 32),
  };
  return domainSeparated(REQUEST_DOMAIN, canonicalJson(fields));
}

function isOrigin(o: string): boolean {
  try {
    const u = new URL(o);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
  } catch {
    return false;
  }
}
