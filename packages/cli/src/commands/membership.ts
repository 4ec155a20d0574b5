// `veil membership nonce|inspect|prove|verify`: the membership proof from the command line. A thin
// layer over @veil/crypto (nonce, inspectToken) and @veil/prover (prove, verify); exit codes: 0 ok,
// 1 invalid input, a failed clause or failed proof/verification (one line on stderr), 2 usage.
// Follows VEIL_CRS=test and says so.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { aVariant, hexToBytes, inspectToken, nonce, variantForToken, VeilError, type Variant } from '@veil/crypto';
import { createBackend, resolveCrsKind } from '@veil/prover';
import { action, UsageError } from '../lib/run.ts';

const TEST_CRS_WARNING = 'veil: warning: using the INSECURE test CRS (VEIL_CRS=test): such proofs can be forged\n';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function readJson(path: string, what: string, code: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch {
    throw new VeilError(code, `${what}: ${path} is not JSON`);
  }
}

function hexFlag(v: string | undefined, flag: string, bytes?: number): string {
  if (v === undefined) throw new UsageError(`${flag} is required`);
  const ok = /^([0-9a-fA-F]{2})+$/.test(v) && (bytes === undefined || v.length === bytes * 2);
  if (!ok) throw new UsageError(`${flag} must be ${bytes ? `${bytes} bytes of ` : ''}hex`);
  return v.toLowerCase();
}

function unixFlag(v: string | undefined, flag: string): number {
  if (v === undefined) throw new UsageError(`${flag} is required`);
  if (!/^[0-9]{1,12}$/.test(v)) throw new UsageError(`${flag} must be unix seconds`);
  return Number(v);
}

function crsKind() {
  try {
    return resolveCrsKind();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The `kid` in a compact JWS header, if it has one. */
function headerKid(token: string): string | undefined {
  try {
    const b64 = token.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/');
    const header = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

function pickJwk(jwks: unknown, kid: string | undefined): JsonWebKey {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new VeilError('ERR_JWKS_MALFORMED', 'JWKS must be an object { "keys": [...] }');
  if (kid === undefined) throw new VeilError('ERR_TOKEN_MALFORMED', 'the token header has no kid');
  const key = keys.find((k) => typeof k === 'object' && k !== null && (k as { kid?: unknown }).kid === kid);
  if (!key) throw new VeilError('ERR_KEY_UNKNOWN', `no key with kid ${JSON.stringify(kid)} in the JWKS`);
  return key as JsonWebKey;
}

function variantFlag(v: string | undefined): Variant | undefined {
  if (v === undefined) return undefined;
  try {
    return aVariant(v);
  } catch (e) {
    throw new UsageError(`--variant: ${(e as Error).message}`);
  }
}

/**
 * `--email-domain`: only the entra statement binds an email domain (through `xms_edov`); any other
 * variant's circuit has no place for it.
 */
function emailDomainFlag(v: string | undefined, variant: Variant | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^[^\s@]+$/.test(v)) throw new UsageError('--email-domain must be a domain such as contoso.com (no "@", no spaces)');
  if (variant !== undefined && variant !== 'entra') {
    throw new UsageError(`--email-domain: only the entra statement binds an email domain, not ${variant} (${variant === 'oidc' ? 'its group already is the email domain: use --domain' : 'use --variant entra with a Microsoft Entra token'})`);
  }
  return v;
}

interface InspectFlags {
  token?: string;
  jwks?: string;
  variant?: string;
  epk?: string;
  salt?: string;
  expiry?: string;
  emailDomain?: string;
}

interface ProveFlags {
  variant?: string;
  token?: string;
  jwks?: string;
  epk?: string;
  salt?: string;
  expiry?: string;
  out?: string;
  domain?: string;
  emailDomain?: string;
  unchecked?: boolean;
}

interface VerifyFlags {
  variant?: string;
  jwks?: string;
  iss?: string;
  aud?: string;
  anyAudience?: boolean;
  domain?: string;
  emailDomain?: string;
}

const ANY_AUDIENCE_WARNING =
  'veil: WARNING: --any-audience: the audience is NOT checked, so a token the issuer minted for ANY of its clients is accepted; diagnostics only, never to admit anyone\n';

export function register(program: Command): void {
  const group = program.command('membership').description('zero-knowledge membership proofs over OIDC ID tokens');

  group
    .command('nonce')
    .description("print the nonce to put in the token's nonce claim")
    .option('--epk <hex>', 'Ed25519 ephemeral public key (32 bytes hex)')
    .option('--salt <hex>', 'salt (hex)')
    .option('--expiry <unix>', 'expiry of the ephemeral key (unix seconds)')
    .action(
      action(async (f: { epk?: string; salt?: string; expiry?: string }) => {
        const epk = hexToBytes(hexFlag(f.epk, '--epk', 32));
        const salt = hexToBytes(hexFlag(f.salt, '--salt'));
        const expiry = unixFlag(f.expiry, '--expiry');
        let n: string;
        try {
          n = await nonce(epk, salt, expiry);
        } catch (e) {
          if (e instanceof TypeError) throw new UsageError(e.message);
          throw e;
        }
        process.stdout.write(`${n}\n`);
      }),
    );

  group
    .command('inspect')
    .description("check each clause of the token's membership statement and its sizes; prints JSON, exit 1 if a clause fails")
    .option('--token <file>', 'file holding the compact ID token')
    .option('--jwks <file>', 'issuer JWKS file { "keys": [...] }')
    .option('--variant <name>', 'statement: google, entra or oidc (default: chosen from iss)')
    .option('--epk <hex>', 'Ed25519 ephemeral public key (32 bytes hex), to check the nonce')
    .option('--salt <hex>', 'nonce salt (hex)')
    .option('--expiry <unix>', 'expiry of the ephemeral key (unix seconds)')
    .option('--email-domain <domain>', 'entra: check the email domain can be bound (the email at that domain, xms_edov true or "1")')
    .action(
      action(async (f: InspectFlags) => {
        if (!f.token) throw new UsageError('--token is required');
        if (!f.jwks) throw new UsageError('--jwks is required');
        const variant = variantFlag(f.variant);
        const nonceFlags = [f.epk, f.salt, f.expiry].filter((v) => v !== undefined).length;
        if (nonceFlags !== 0 && nonceFlags !== 3) throw new UsageError('--epk, --salt and --expiry go together');
        const nonceInputs =
          nonceFlags === 3 ? { epk: hexToBytes(hexFlag(f.epk, '--epk', 32)), salt: hexToBytes(hexFlag(f.salt, '--salt')), expiry: unixFlag(f.expiry, '--expiry') } : undefined;
        const token = readText(f.token, '--token').trim();
        const emailDomain = emailDomainFlag(f.emailDomain, variant ?? variantForToken(token));
        const jwk = pickJwk(readJson(f.jwks, '--jwks', 'ERR_JWKS_MALFORMED'), headerKid(token));
        const report = await inspectToken(token, jwk, {
          ...(variant ? { variant } : {}),
          ...(nonceInputs ? { nonce: nonceInputs } : {}),
          ...(emailDomain !== undefined ? { emailDomain } : {}),
        });
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        if (!report.clauses.every((c) => c.ok)) process.exitCode = 1;
      }),
    );

  group
    .command('prove')
    .description('prove membership from an ID token and write the bundle to --out')
    .option('--token <file>', 'file holding the compact ID token')
    .option('--jwks <file>', 'issuer JWKS file { "keys": [...] }')
    .option('--epk <hex>', 'Ed25519 ephemeral public key (32 bytes hex)')
    .option('--salt <hex>', 'nonce salt (hex)')
    .option('--expiry <unix>', 'expiry of the ephemeral key (unix seconds)')
    .option('--out <file>', 'where to write the bundle (JSON)')
    .option('--domain <domain>', "group to prove (default: the token's own: oidc the email's domain, google hd)")
    .option('--variant <name>', 'statement, which picks the circuit: google, entra or oidc (default: chosen from iss)')
    .option('--email-domain <domain>', 'entra: also bind the email domain (the token\'s email must be at it, with xms_edov true or "1")')
    .option('--unchecked', 'skip the TypeScript pre-checks: the circuit alone decides')
    .action(
      action(async (f: ProveFlags) => {
        if (!f.token) throw new UsageError('--token is required');
        if (!f.jwks) throw new UsageError('--jwks is required');
        if (!f.out) throw new UsageError('--out is required');
        const epk = hexFlag(f.epk, '--epk', 32);
        const salt = hexFlag(f.salt, '--salt');
        const expiry = unixFlag(f.expiry, '--expiry');
        const chosen = variantFlag(f.variant);
        const kind = crsKind();
        const token = readText(f.token, '--token').trim();
        const variant = chosen ?? variantForToken(token);
        const emailDomain = emailDomainFlag(f.emailDomain, variant);
        const jwk = pickJwk(readJson(f.jwks, '--jwks', 'ERR_JWKS_MALFORMED'), headerKid(token));
        if (kind === 'test') process.stderr.write(TEST_CRS_WARNING);
        const backend = await createBackend({ crs: kind });
        try {
          const bundle = await backend.prove({
            token,
            jwk,
            epk,
            salt,
            expiry,
            variant,
            ...(f.domain !== undefined ? { domain: f.domain } : {}),
            ...(emailDomain !== undefined ? { emailDomain } : {}),
            ...(f.unchecked ? { unchecked: true } : {}),
          });
          // Only a complete, proven bundle ever appears under the --out name.
          const tmp = join(dirname(f.out), `.${basename(f.out)}.${process.pid}.tmp`);
          try {
            writeFileSync(tmp, `${JSON.stringify(bundle, null, 2)}\n`);
            renameSync(tmp, f.out);
            process.stdout.write(`${f.out}: ${bundle.variant} membership of ${bundle.claims.domain}${bundle.claims.emailDomain !== undefined ? ` (email domain ${bundle.claims.emailDomain})` : ''} for key ${bundle.claims.epk.slice(0, 12)}…, valid until ${new Date(bundle.claims.expiry * 1000).toISOString()} (next: veil join --bundle ${f.out})\n`);
          } catch (e) {
            rmSync(tmp, { force: true });
            throw new UsageError(`--out: cannot write ${f.out} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
          }
        } finally {
          await backend.destroy();
        }
      }),
    );

  group
    .command('verify')
    .description('verify a membership bundle; prints the verified claims')
    .argument('<file>', 'bundle (JSON)')
    .option('--jwks <file>', 'issuer JWKS file { "keys": [...] }')
    .option('--iss <issuer>', 'the issuer the token must come from (required)')
    .option('--aud <audience>', 'the audience (your client id) the token must be minted for (required)')
    .option('--any-audience', 'DIAGNOSTICS ONLY: skip the audience check (accepts tokens minted for any client of the issuer)')
    .option('--domain <domain>', 'required domain')
    .option('--variant <name>', 'required statement: google, entra or oidc (default: any; the output names it)')
    .option('--email-domain <domain>', 'required bound email domain (entra bundles only; a bundle binding none or another is ERR_EMAIL_DOMAIN_MISMATCH)')
    .action(
      action(async (file: string, f: VerifyFlags) => {
        const variant = variantFlag(f.variant);
        const emailDomain = emailDomainFlag(f.emailDomain, variant);
        if (!f.jwks) throw new UsageError('--jwks is required');
        if (!f.iss) throw new UsageError('--iss is required: the issuer the token must come from');
        if (f.anyAudience && f.aud !== undefined) throw new UsageError('--aud and --any-audience exclude each other');
        if (!f.anyAudience && !f.aud) throw new UsageError('--aud is required: the client id the token must be minted for (--any-audience skips the check, for diagnostics only)');
        const allowTestCrs = crsKind() === 'test';
        const bundle = readJson(file, 'bundle', 'ERR_BUNDLE_MALFORMED');
        const jwks = readJson(f.jwks, '--jwks', 'ERR_JWKS_MALFORMED');
        if (allowTestCrs) process.stderr.write(TEST_CRS_WARNING);
        if (f.anyAudience) process.stderr.write(ANY_AUDIENCE_WARNING);
        const backend = await createBackend({ crs: allowTestCrs ? 'test' : 'aztec' });
        try {
          const claims = await backend.verify(bundle, jwks, {
            allowTestCrs,
            iss: f.iss,
            ...(f.anyAudience ? { anyAudience: true as const } : { aud: f.aud! }),
            ...(f.domain !== undefined ? { domain: f.domain } : {}),
            ...(emailDomain !== undefined ? { emailDomain } : {}),
            ...(variant ? { variant } : {}),
          });
          process.stdout.write(`${JSON.stringify(claims)}\n`);
        } finally {
          await backend.destroy();
        }
      }),
    );
}
