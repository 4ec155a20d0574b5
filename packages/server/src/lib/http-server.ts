// The HTTP/1.1 server under fastify (its `serverFactory`): request, header and keep-alive timeouts,
// a per-IP cap on open connections, and Veil-shaped answers for what Node's HTTP layer refuses
// before a request reaches fastify (malformed request, oversized headers, timeouts).
//
// Why: without timeouts a client that sends headers and a trickle of body keeps a socket and a
// file descriptor for as long as it likes. Node checks request/header deadlines only every
// `connectionsCheckingInterval` (30 s by default), so the interval follows the shortest deadline.
// The per-IP cap counts direct peers: behind a load balancer every connection comes from the
// balancer, so raise the cap (or set 0 = off) there and let the balancer cap its clients.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { rawErrorResponse } from './security-headers.ts';

export interface HttpLimits {
  /** Whole request (headers and body) must arrive within this, ms. */
  requestTimeoutMs: number;
  /** Headers must arrive within this, ms (≤ requestTimeoutMs). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveTimeoutMs: number;
  /** Open connections per remote address; 0 = unlimited. */
  maxConnectionsPerIp: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = Object.freeze({
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerIp: 64,
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Creates the server fastify listens on. */
export function createLimitedServer(limits: HttpLimits, handler: Handler): Server {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
    },
    handler,
  );
  if (limits.maxConnectionsPerIp > 0) capConnectionsPerIp(server, limits.maxConnectionsPerIp);
  return server;
}

/**
 * Puts a gate in front of Node's own connection listener: a connection beyond the cap gets a 429
 * in Veil's format and is closed before any HTTP parsing is attached to it.
 */
function capConnectionsPerIp(server: Server, max: number): void {
  const open = new Map<string, number>();
  const inner = server.listeners('connection') as Array<(s: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const ip = socket.remoteAddress ?? '';
    const n = open.get(ip) ?? 0;
    if (n >= max) {
      socket.on('error', () => {});
      socket.end(rawErrorResponse(429, 'ERR_TOO_MANY_CONNECTIONS', `more than ${max} open connections from this address`), () => socket.destroy());
      return;
    }
    open.set(ip, n + 1);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left <= 0) open.delete(ip);
      else open.set(ip, left);
    });
    for (const l of inner) l.call(server, socket);
  });
}

/** fastify's `clientErrorHandler`: Node-level refusals in Veil's error format, with the security headers. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let code = 'ERR_BAD_REQUEST';
  let message = 'malformed HTTP request';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') [status, code, message] = [408, 'ERR_REQUEST_TIMEOUT', 'the request did not arrive in time'];
  else if (err.code === 'HPE_HEADER_OVERFLOW') [status, code, message] = [431, 'ERR_HEADERS_TOO_LARGE', 'request headers are too large'];
  // Not when a response is already under way on this socket (its bytes would be interleaved).
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) socket.write(rawErrorResponse(status, code, message));
  socket.destroy();
}
