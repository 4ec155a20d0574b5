// Where the provisioning agent listens: a unix socket path, or `tcp://HOST:PORT` for services that
// cannot reach host unix sockets (Gramine emulates AF_UNIX inside the enclave instance only).
// The transport is untrusted either way: the evidence and HPKE provide the security.
export type Endpoint = { path: string } | { host: string; port: number };

export function parseEndpoint(s: string): Endpoint {
  if (typeof s !== 'string' || s === '') throw new TypeError('socket must be a path or tcp://HOST:PORT');
  if (!s.startsWith('tcp://')) return { path: s };
  const m = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/\[\]]+):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new TypeError('socket must be a path or tcp://HOST:PORT');
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
