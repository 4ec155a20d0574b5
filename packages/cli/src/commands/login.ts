// `veil login [--server URL] [--issuer ID] [--dev-account EMAIL]`: sign in, prove, join, remember.
//
// 1. A fresh Ed25519 key, salt and expiry (7 days); the ID token's nonce binds them.
// 2. OAuth 2.0 authorization code + PKCE (S256) with a loopback redirect (RFC 8252 §7.3): a one-shot
//    HTTP listener on 127.0.0.1, random port, path /callback; `state` is checked. The browser is
//    opened (or the URL printed); with --dev-account (development issuer only) the dev issuer's
//    login page is driven over HTTP instead, and its redirect delivered to the same listener.
// 3. The code is exchanged (with the verifier) at the issuer's token endpoint for the ID token; the
//    token stays in this process and is never written anywhere.
// 4. The membership proof is made here (seconds; progress on stderr), with the CRS the server uses
//    (its test CRS comes with the loud warning), registered with POST /api/memberships, and the key
//    and bundle are stored (logins.ts) so that `veil post` and friends need no --key.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Command } from 'commander';
import { bytesToHex, emailDomainToBind, generateEphemeralKey, nonce, VeilError } from '@veil/crypto';
import type { ConfigResponse, IssuerInfo, KeysResponse } from '@veil/server/schemas';
import { action, UsageError } from '../lib/run.ts';
import { api, resolveServer } from '../lib/board-client.ts';
import { saveLogin } from '../lib/logins.ts';
import { warnTestCrs } from '../lib/crs-follow.ts';
import { progress } from '../lib/progress.ts';

const KEY_DAYS = 7;
const CALLBACK_TIMEOUT_MS = 5 * 60_000;

interface LoginFlags {
  server?: string;
  issuer?: string;
  devAccount?: string;
  browser: boolean;
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

function pickIssuer(config: ConfigResponse, f: LoginFlags): IssuerInfo {
  const usable = config.issuers.filter((i) => i.authorizationEndpoint);
  const ids = config.issuers.map((i) => i.id).join(', ') || 'none';
  if (f.issuer !== undefined) {
    const i = config.issuers.find((x) => x.id === f.issuer);
    if (!i) throw new UsageError(`--issuer ${f.issuer}: this server has no such issuer (it has: ${ids})`);
    return i;
  }
  if (f.devAccount !== undefined) {
    const dev = usable.find((i) => i.kind === 'dev');
    if (dev) return dev;
  }
  if (usable.length === 1) return usable[0]!;
  if (usable.length === 0) throw new VeilError('ERR_NO_ISSUER', 'this server has no sign-in provider configured');
  throw new UsageError(`this server has several issuers: choose one with --issuer (${usable.map((i) => i.id).join(', ')})`);
}

/** The one-shot loopback listener: resolves with the authorization response's query. */
async function listenForCallback(): Promise<{ redirectUri: string; response: Promise<URLSearchParams>; close(): void }> {
  let server: Server;
  const response = new Promise<URLSearchParams>((resolve, reject) => {
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (u.pathname !== '/callback') {
        res.statusCode = 404;
        res.end('not found');
        return;
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      const failed = u.searchParams.has('error');
      res.end(`<!doctype html><meta charset="utf-8"><title>Veil</title><h1>${failed ? 'Sign-in failed' : 'Signed in'}</h1><p>${
        failed ? 'See the terminal for the reason.' : 'You can close this tab: the proof is being made in your terminal.'
      }</p>`);
      resolve(u.searchParams);
    });
    const t = setTimeout(() => reject(new VeilError('ERR_LOGIN_TIMEOUT', 'no answer from the browser within 5 minutes: run veil login again')), CALLBACK_TIMEOUT_MS);
    t.unref();
  });
  response.catch(() => {});
  await new Promise<void>((r, j) => {
    server!.once('error', j);
    server!.listen(0, '127.0.0.1', () => r());
  });
  const { port } = server!.address() as { port: number };
  return { redirectUri: `http://127.0.0.1:${port}/callback`, response, close: () => server.close() };
}

function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // The URL is printed anyway.
  }
}

async function discover(iss: string): Promise<{ authorization_endpoint: string; token_endpoint: string }> {
  let d: { authorization_endpoint?: unknown; token_endpoint?: unknown };
  try {
    const res = await fetch(`${iss.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    d = (await res.json()) as typeof d;
  } catch (cause) {
    throw new VeilError('ERR_ISSUER_UNREACHABLE', `cannot read ${iss}'s OpenID configuration: ${(cause as Error).message}`, { cause });
  }
  if (typeof d.authorization_endpoint !== 'string' || typeof d.token_endpoint !== 'string') {
    throw new VeilError('ERR_ISSUER_UNREACHABLE', `${iss}'s OpenID configuration names no authorization or token endpoint`);
  }
  return { authorization_endpoint: d.authorization_endpoint, token_endpoint: d.token_endpoint };
}

/** The JSON object of a compact JWS's header (0) or payload (1), or undefined. */
function tokenPart(token: string, i: 0 | 1): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(token.split('.')[i] ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function tokenKid(token: string): string | undefined {
  const kid = tokenPart(token, 0)?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

export function register(program: Command): void {
  program
    .command('login')
    .description('sign in, prove membership on this machine, join the board and remember the key (no --key needed afterwards)')
    .option('--server <url>', 'board server (default: $VEIL_SERVER, else the last login, else http://127.0.0.1:8080)')
    .option('--issuer <id>', "sign-in provider, as listed in the server's /api/config (default: the only one)")
    .option('--dev-account <email>', 'development issuer only: sign in as this development account without a browser')
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .action(
      action(async (f: LoginFlags) => {
        const server = resolveServer(f.server);
        const config = await api<ConfigResponse>(server, 'GET', '/api/config');
        const issuer = pickIssuer(config, f);
        if (f.devAccount !== undefined && issuer.kind !== 'dev') {
          throw new UsageError(`--dev-account works only with a development issuer; ${issuer.id} is ${issuer.kind}`);
        }
        const endpoints = await discover(issuer.iss);

        const key = generateEphemeralKey();
        const salt = randomBytes(16);
        const expiry = Math.floor(Date.now() / 1000) + KEY_DAYS * 86400;
        const boundNonce = await nonce(key.publicKey, salt, expiry);
        const verifier = b64u(randomBytes(32));
        const state = b64u(randomBytes(16));
        const callback = await listenForCallback();
        let idToken: string;
        try {
          const auth = new URL(endpoints.authorization_endpoint);
          auth.search = new URLSearchParams({
            response_type: 'code',
            client_id: issuer.aud,
            redirect_uri: callback.redirectUri,
            scope: 'openid email profile',
            nonce: boundNonce,
            state,
            code_challenge: b64u(createHash('sha256').update(verifier).digest()),
            code_challenge_method: 'S256',
          }).toString();
          if (f.devAccount !== undefined) {
            process.stderr.write(`veil: signing in as ${f.devAccount} at the DEVELOPMENT issuer ${issuer.iss}\n`);
            const { authorizeWithDevIssuer } = await import('@veil/dev-issuer/sign-in');
            let back: string;
            try {
              back = await authorizeWithDevIssuer({ authorizationUrl: auth.href, redirectUri: callback.redirectUri, account: f.devAccount });
            } catch (e) {
              throw new VeilError('ERR_LOGIN_FAILED', (e as Error).message.replace(/^dev sign-in: /, ''));
            }
            await (await fetch(back)).body?.cancel();
          } else {
            process.stderr.write(`veil: sign in with ${issuer.label} in your browser:\n\n  ${auth.href}\n\nveil: waiting for the browser to come back to ${callback.redirectUri} …\n`);
            if (f.browser) openBrowser(auth.href);
          }
          const q = await callback.response;
          if (q.get('state') !== state) throw new VeilError('ERR_LOGIN_FAILED', 'the answer does not belong to this sign-in (state mismatch)');
          if (q.get('error')) throw new VeilError('ERR_LOGIN_FAILED', `the provider refused: ${q.get('error_description') ?? q.get('error')}`);
          const code = q.get('code');
          if (!code) throw new VeilError('ERR_LOGIN_FAILED', 'the provider returned no authorization code');
          const res = await fetch(endpoints.token_endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
            body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback.redirectUri, client_id: issuer.aud, code_verifier: verifier }),
            signal: AbortSignal.timeout(30_000),
          }).catch((cause: Error) => {
            throw new VeilError('ERR_ISSUER_UNREACHABLE', `cannot reach the token endpoint ${endpoints.token_endpoint}: ${cause.message}`);
          });
          const body = (await res.json().catch(() => ({}))) as { id_token?: unknown; error?: string; error_description?: string };
          if (!res.ok || typeof body.id_token !== 'string') {
            throw new VeilError('ERR_LOGIN_FAILED', `the token endpoint answered HTTP ${res.status}${body.error ? `: ${body.error_description ?? body.error}` : ''}`);
          }
          idToken = body.id_token;
        } finally {
          callback.close();
        }

        const kid = tokenKid(idToken);
        const keys = await api<KeysResponse>(server, 'GET', `/api/keys?iss=${encodeURIComponent(issuer.iss)}`);
        const jwk = keys.keys.find((k) => k.kid === kid)?.jwk;
        if (!jwk) throw new VeilError('ERR_KEY_UNKNOWN', `the token's signing key (${kid ?? 'no kid'}) is not in ${server}'s key registry for ${issuer.iss}`);

        const crs = config.crs.kind;
        if (crs !== 'test' && crs !== 'aztec') throw new VeilError('ERR_SERVER_RESPONSE', `${server} asks for an unknown CRS ${JSON.stringify(crs)}`);
        if (crs === 'test') warnTestCrs(`${server} runs the test CRS`);
        const { buildInputs } = await import('@veil/crypto');
        // Failures that need no proof (unverified email, wrong audience, …) are reported before the prover starts.
        // The statement is the server's choice for this issuer (google: Workspace hd; oidc: email domain).
        const variant = issuer.variant;
        // A board naming email domains for its issuer (entra) wants the token email's bound.
        const emailDomain = emailDomainToBind(issuer, tokenPart(idToken, 1)?.email);
        const bind = emailDomain !== undefined ? { emailDomain } : {};
        await buildInputs(idToken, jwk, key.publicKey, salt, expiry, { variant, ...bind });
        const { createBackend } = await import('@veil/prover');
        const show = progress('proving membership on this machine (the first proof compiles the circuit; ~10-60 s)');
        const backend = await createBackend({ crs });
        let bundle;
        try {
          bundle = await backend.prove({ token: idToken, jwk, epk: key.publicKey, salt, expiry, variant, ...bind });
          show.done('proof ready');
        } catch (e) {
          show.done('proof failed');
          throw e;
        } finally {
          await backend.destroy();
        }
        await api(server, 'POST', '/api/memberships', { body: bundle });
        const path = saveLogin({
          server, issuer: issuer.id, iss: issuer.iss, group: bundle.claims.domain,
          key: { secretKey: bytesToHex(key.secretKey), publicKey: bytesToHex(key.publicKey) },
          salt: bytesToHex(salt), expiry, bundle, createdAt: Date.now(),
        });
        process.stdout.write(
          `Signed in to ${server} as a member of ${bundle.claims.domain} (key ${bytesToHex(key.publicKey).slice(0, 12)}…, valid until ${new Date(expiry * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC).\n` +
            `Key and proof saved in ${path}. Next: veil post --text 'hello'\n`,
        );
      }),
    );
}
