// What `veil login` stores: per board server, the ephemeral key, the proof bundle it registered and
// the group it proves, in `$XDG_CONFIG_HOME/veil/logins.json` (default `~/.config/veil`). The file
// holds secret keys: directory 0700, file 0600, replaced atomically. `current` is the server of the
// last login, the default for commands run without --server or VEIL_SERVER.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VeilError } from '@veil/crypto';
import type { KeyFile } from './board-client.ts';

export interface Login {
  server: string;
  /** Issuer id in the server's config, and its `iss`. */
  issuer: string;
  iss: string;
  group: string;
  key: KeyFile;
  salt: string;
  /** Unix seconds: when the membership (and so the key) stops being accepted. */
  expiry: number;
  bundle: unknown;
  createdAt: number;
}

interface LoginsFile {
  v: 1;
  current: string | null;
  logins: Record<string, Login>;
}

/**
 * `$XDG_CONFIG_HOME/veil`, or `~/.config/veil` (a relative XDG_CONFIG_HOME is ignored, as the spec says).
 * @example
 * configDir({ XDG_CONFIG_HOME: '/tmp/x' }); // '/tmp/x/veil'
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.config'), 'veil');
}

export const loginsPath = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'logins.json');

function read(): LoginsFile {
  let text: string;
  try {
    text = readFileSync(loginsPath(), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { v: 1, current: null, logins: {} };
    throw new VeilError('ERR_CONFIG', `cannot read ${loginsPath()} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const f = JSON.parse(text) as LoginsFile;
    if (f.v !== 1 || typeof f.logins !== 'object' || f.logins === null) throw new Error('shape');
    return f;
  } catch {
    throw new VeilError('ERR_CONFIG', `${loginsPath()} is not a veil logins file: move it away and run veil login again`);
  }
}

/**
 * The login stored for `server` (an origin), if any.
 * @example
 * loadLogin('http://127.0.0.1:8080')?.key.publicKey;
 * @throws VeilError ERR_CONFIG when logins.json is unreadable or not a logins file.
 */
export function loadLogin(server: string): Login | undefined {
  return read().logins[server];
}

/** The server of the last `veil login`, if any. */
export function currentServer(): string | undefined {
  return read().current ?? undefined;
}

/**
 * Stores (or replaces) the login for its server and makes that server the current one; returns the file's path.
 * @example
 * const path = saveLogin(login); // ~/.config/veil/logins.json, mode 0600
 * @throws VeilError ERR_CONFIG when the file cannot be written.
 */
export function saveLogin(login: Login): string {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const f = read();
  f.logins[login.server] = login;
  f.current = login.server;
  const path = loginsPath();
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(f, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new VeilError('ERR_CONFIG', `cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return path;
}
