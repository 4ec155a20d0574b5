// Newline-delimited JSON over a stream socket, with a per-line size cap and a read timeout, so a
// silent or flooding peer can neither hang nor exhaust the other side.
import type { Socket } from 'node:net';
import { VeilError } from '@veil/crypto';

export const MAX_LINE_BYTES = 256 * 1024;

export class JsonLines {
  private buf = '';
  private queue: unknown[] = [];
  private waiter: { resolve: (v: unknown) => void; reject: (e: unknown) => void } | undefined;
  private failure: unknown;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        try {
          this.push(JSON.parse(line));
        } catch (cause) {
          this.fail(new VeilError('ERR_PROVISION_PROTOCOL', 'peer sent a line that is not JSON', { cause }));
        }
      }
      if (this.buf.length > MAX_LINE_BYTES) this.fail(new VeilError('ERR_PROVISION_PROTOCOL', 'peer sent an oversized message'));
    });
    socket.on('error', (e) => this.fail(new VeilError('ERR_PROVISION_PROTOCOL', `socket error: ${e.message}`, { cause: e })));
    socket.on('close', () => this.fail(new VeilError('ERR_PROVISION_CLOSED', 'peer closed the connection')));
  }

  private push(v: unknown): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(v);
    } else this.queue.push(v);
  }

  private fail(e: unknown): void {
    if (this.failure === undefined) this.failure = e;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(e);
    }
    this.socket.destroy();
  }

  /** The next message, or throws on timeout/close/garbage. */
  read(timeoutMs: number): Promise<unknown> {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => this.fail(new VeilError('ERR_PROVISION_TIMEOUT', `no message within ${timeoutMs} ms`)), timeoutMs);
      this.waiter = {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      };
    });
  }

  write(msg: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(`${JSON.stringify(msg)}\n`, (e) => (e ? reject(e) : resolve()));
    });
  }
}
