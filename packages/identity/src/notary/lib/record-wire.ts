/**
 * The Duplex between Node's TLS client and the socket to the provider. Incoming bytes pass through
 * untouched (Node decrypts and verifies them). Outgoing bytes are cut into TLS records and sorted
 * by the key they open under:
 *   - plaintext records (ClientHello, ChangeCipherSpec) and records under the client handshake
 *     traffic key (Finished) go out at once;
 *   - records under the client application traffic key are HELD: their content must be exactly
 *     the request the service built (checked byte for byte, so record boundaries and sequence
 *     numbers are known, not guessed), and they leave only on `release`, patched.
 * Anything else fails closed. Order on the wire is kept: once a record is held, later ones queue
 * behind it.
 */
import { Duplex } from 'node:stream';
import { VeilError } from '@veil/crypto';
import {
  CONTENT_APPLICATION_DATA, CONTENT_HANDSHAKE, RECORD_HEADER_BYTES, openRecord, type TrafficKeys,
} from './tls13-record.ts';

/** A held application-data record and the slice of the request it carries. */
export interface CapturedRecord {
  readonly record: Uint8Array;
  /** Offset of its content within the request bytes. */
  readonly start: number;
  readonly length: number;
}

const MAX_RECORD = RECORD_HEADER_BYTES + 16384 + 256;

export class RecordWire extends Duplex {
  handshakeKeys: TrafficKeys | undefined;
  applicationKeys: TrafficKeys | undefined;
  private handshakeSeq = 0n;
  private applicationSeq = 0n;
  private inbound: Buffer = Buffer.alloc(0);
  private readonly queue: Uint8Array[] = [];
  private readonly captured: Array<CapturedRecord & { index: number }> = [];
  private expected: Uint8Array | undefined;
  private offset = 0;
  private released = false;
  private onCaptured: ((records: CapturedRecord[]) => void) | undefined;

  constructor(private readonly raw: Duplex) {
    super({ allowHalfOpen: false });
    raw.on('data', (chunk: Buffer) => this.push(chunk));
    raw.on('end', () => this.push(null));
    raw.on('error', (e) => this.destroy(e));
    raw.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  /** The exact request bytes Node is about to encrypt; resolves once all of them are held. */
  expectRequest(bytes: Uint8Array): Promise<CapturedRecord[]> {
    if (this.expected) throw new Error('expectRequest called twice');
    this.expected = bytes;
    return new Promise((resolve) => {
      this.onCaptured = resolve;
    });
  }

  /** Sends everything held, with `replacements` (by capture index) instead of the original records. */
  release(replacements: ReadonlyMap<number, Uint8Array>): void {
    if (this.released) throw new Error('released twice');
    this.released = true;
    const captureAt = new Map(this.captured.map((c, i) => [c.index, i]));
    this.queue.forEach((record, q) => {
      const i = captureAt.get(q);
      this.raw.write(i === undefined ? record : (replacements.get(i) ?? record));
    });
    this.queue.length = 0;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.inbound = this.inbound.length ? Buffer.concat([this.inbound, chunk]) : chunk;
    try {
      while (this.inbound.length >= RECORD_HEADER_BYTES) {
        const total = RECORD_HEADER_BYTES + this.inbound.readUInt16BE(3);
        if (total > MAX_RECORD) throw new VeilError('ERR_PROVIDER_TLS_RECORD', 'outgoing TLS record too large');
        if (this.inbound.length < total) break;
        const record = new Uint8Array(this.inbound.subarray(0, total));
        this.inbound = this.inbound.subarray(total);
        this.sort(record);
      }
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.raw.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.raw.destroy();
    cb(err);
  }

  private send(record: Uint8Array): void {
    if (this.released || this.queue.length === 0) this.raw.write(record);
    else this.queue.push(record);
  }

  private sort(record: Uint8Array): void {
    if (this.released || record[0] !== CONTENT_APPLICATION_DATA) return this.send(record);
    const app = this.applicationKeys && openRecord(this.applicationKeys, this.applicationSeq, record);
    if (app) {
      this.applicationSeq++;
      const index = this.queue.length;
      this.queue.push(record);
      if (app.type !== CONTENT_APPLICATION_DATA) return; // e.g. close_notify during abort: held, never patched
      const want = this.expected;
      if (!want || this.offset + app.content.length > want.length || !equal(app.content, want.subarray(this.offset, this.offset + app.content.length))) {
        throw new VeilError('ERR_PROVIDER_TLS_RECORD', 'outgoing application data is not the request the service built');
      }
      this.captured.push({ record, start: this.offset, length: app.content.length, index });
      this.offset += app.content.length;
      if (this.offset === want.length) this.onCaptured?.(this.captured.map(({ record: r, start, length }) => ({ record: r, start, length })));
      return;
    }
    const hs = this.handshakeKeys && openRecord(this.handshakeKeys, this.handshakeSeq, record);
    if (hs && hs.type === CONTENT_HANDSHAKE) {
      this.handshakeSeq++;
      return this.send(record);
    }
    throw new VeilError('ERR_PROVIDER_TLS_RECORD', 'outgoing TLS record opens under no known client key');
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
