// The headers every response carries (cross-origin isolation for bb.js's SharedArrayBuffer, no
// sniffing, no referrer), and Veil's error body written straight to a socket for the responses
// Node's HTTP layer produces before fastify sees a request (malformed request line, oversized
// headers, request timeout, connection cap): those bypass fastify's hooks, so they are built here.

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
});

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 503: 'Service Unavailable' };

/** A complete HTTP/1.1 response `{error:{code,message}}` with the security headers, closing the connection. */
export function rawErrorResponse(status: number, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  const headers = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}
