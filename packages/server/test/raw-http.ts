// A bare HTTP/1.1 client over a real socket, for what fetch and inject cannot send or see: invalid
// URLs and bytes, oversized headers, slow bodies, and whether the server closed the connection.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses the first response in `data` (content-length framing, or up to the end). */
export function parseResponse(data: Buffer): RawResponse {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const rest = data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  const len = headers['content-length'] === undefined ? rest.length : Number(headers['content-length']);
  return { status: Number(statusLine!.split(' ')[1]), headers, body: rest.subarray(0, len).toString('utf8') };
}

export function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** What the server sent until its first response was complete (by content-length) or it closed the connection. */
export function readResponse(s: Socket): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = (closed: boolean) => {
      s.removeAllListeners('data');
      resolve({ data: Buffer.concat(chunks), closed });
    };
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      try {
        const r = parseResponse(Buffer.concat(chunks));
        if (r.headers['content-length'] !== undefined && Buffer.byteLength(r.body) >= Number(r.headers['content-length'])) done(false);
      } catch { /* incomplete head */ }
    });
    s.on('error', () => {});
    s.once('close', () => done(true));
  });
}

/** Sends `request` (bytes as given) on a fresh connection and returns the first response. */
export async function rawRequest(port: number, request: Buffer | string): Promise<RawResponse & { closed: boolean }> {
  const s = await open(port);
  const reading = readResponse(s);
  s.write(request);
  const { data, closed } = await reading;
  s.destroy();
  return { ...parseResponse(data), closed };
}
