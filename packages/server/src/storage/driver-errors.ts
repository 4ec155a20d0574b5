// Driver errors never reach a client as a 500. Every storage method is wrapped once: a VeilError
// passes through; an error the driver raised because of the data (PostgreSQL SQLSTATE classes 22
// data exception, 23 integrity violation, 54 program limit; SQLite TOOBIG / CONSTRAINT / MISMATCH /
// RANGE) becomes 400 ERR_INPUT_REFUSED; the database being unreachable or overloaded (connection
// lost, deadlock, shut down, disk full) is not the client's fault: 503 ERR_STORAGE_UNAVAILABLE.
// Anything else (a bad statement: our bug) stays a logged 500.
// The schemas refuse what is known to upset a driver (U+0000, over-long strings) before this.
import { VeilError, isVeilError } from '@veil/crypto';
import type { Storage } from './types.ts';

export type DriverErrorKind = 'input' | 'unavailable';

/** PostgreSQL (node-postgres `DatabaseError`, a 5-character SQLSTATE in `code`). */
export function classifyPostgresError(e: unknown): DriverErrorKind | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    const cls = code.slice(0, 2);
    if (['22', '23', '54'].includes(cls)) return 'input';
    // connection, transaction rollback (serialization, deadlock), resources, operator, system
    return ['08', '40', '53', '57', '58'].includes(cls) ? 'unavailable' : null;
  }
  if (typeof code === 'string' && /^E(CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|HOSTUNREACH)$/.test(code)) return 'unavailable';
  const message = e instanceof Error ? e.message : '';
  return /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(message) ? 'unavailable' : null;
}

/** SQLite (better-sqlite3 `SqliteError`, `code` SQLITE_*). */
export function classifySqliteError(e: unknown): DriverErrorKind | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (/^SQLITE_(TOOBIG|CONSTRAINT|MISMATCH|RANGE)/.test(code)) return 'input';
  return /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|NOMEM|READONLY|PROTOCOL)/.test(code) ? 'unavailable' : null;
}

function mapped(e: unknown, classify: (e: unknown) => DriverErrorKind | null): unknown {
  if (isVeilError(e)) return e;
  const kind = classify(e);
  if (kind === 'input') return new VeilError('ERR_INPUT_REFUSED', 'the database refused this input', { cause: e });
  if (kind === 'unavailable') return new VeilError('ERR_STORAGE_UNAVAILABLE', 'the database is unavailable, try again', { cause: e });
  return e;
}

/** Not wrapped: `watchFeeds` is synchronous, and `close` errors are the operator's, not a client's. */
const UNGUARDED = new Set(['watchFeeds', 'close']);

/** The same storage with every driver error mapped to a coded VeilError. */
export function guardDriverErrors<S extends Storage>(storage: S, classify: (e: unknown) => DriverErrorKind | null): S {
  const guarded = { ...storage };
  for (const [name, fn] of Object.entries(storage)) {
    if (typeof fn !== 'function' || UNGUARDED.has(name)) continue;
    (guarded as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>).apply(storage, args);
      } catch (e) {
        throw mapped(e, classify);
      }
    };
  }
  return guarded;
}
