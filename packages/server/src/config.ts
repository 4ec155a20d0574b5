// Server configuration: defaults (development profile), the JSON config file, CLI/env overrides,
// and the production guard. `"profile": "production"` refuses the dev issuer and the test CRS at
// startup with a clear error; nothing development-only can be switched on silently.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ENTRA_CONSUMER_TENANT, ENTRA_ISS_TEMPLATE, VeilError, aVariant, isVeilError, type Variant } from '@veil/crypto';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './lib/http-server.ts';

// The tenant → template mapping lives in @veil/crypto: the board, the CLI and the web badge share it.
export { issuerForIss, ENTRA_ISS_TEMPLATE } from '@veil/crypto';

export { DEFAULT_HTTP_LIMITS, type HttpLimits };

export type IssuerKind = 'google' | 'microsoft' | 'oidc' | 'dev';

export interface IssuerConfig {
  id: string;
  kind: IssuerKind;
  /** The issuer identifier; for a multi-tenant Microsoft issuer the template `ENTRA_ISS_TEMPLATE`. */
  iss: string;
  aud: string;
  /**
   * The membership statement this issuer's bundles must prove, which picks the circuit (config
   * `"variant"`; default from the kind: google → `google` (Workspace `hd`), microsoft → `entra`
   * (the tenant), oidc and dev → `oidc` (email domain)). Bundles of another variant are refused.
   */
  variant: Variant;
  /** Microsoft multi-tenant: the tenant ids (GUIDs) admitted; absent = every organisation tenant. */
  tenants?: string[];
  /**
   * Microsoft: memberships must also bind one of these email domains (byte for byte the token
   * email's domain, vouched for by the tenant through `xms_edov`); absent = the tenant alone.
   */
  emailDomains?: string[];
  /** JWKS URL or file path; absent: OIDC discovery; for `dev`, the in-process dev issuer. */
  jwks?: string;
  authorizationEndpoint?: string | null;
  label: string;
}

export interface RateLimitConfig {
  windowMs: number;
  /** 0 = unlimited. */
  postsPerKey: number;
  postsPerIp: number;
  likesPerKey: number;
  likesPerIp: number;
  membershipsPerIp: number;
  /** Person groups (per IP: group proofs are anonymous, so there is no key to count). */
  groupUpdatesPerIp: number;
  pollsPerIp: number;
  votesPerIp: number;
  groupPostsPerIp: number;
  groupLikesPerIp: number;
  /** Requests relayed to the identity service (enrollment steps and group joins). */
  identityRequestsPerIp: number;
}

export interface ServerConfig {
  profile: 'development' | 'production';
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL URL; when absent, SQLite at `<dataDir>/veil.sqlite`. */
  databaseUrl?: string;
  issuers: IssuerConfig[];
  /** Which CRS proofs must be made with: `test` (insecure, development only) or `aztec` (canonical). */
  crs: 'test' | 'aztec';
  /** Accepted circuit ids, of those circuits.json accepts; default: every current and not-yet-expired `accepted-until` circuit. */
  circuits?: string[];
  rateLimit: RateLimitConfig;
  devIssuer: { clientId: string; graceSeconds: number };
  keyRefreshSeconds: number;
  /**
   * Group trees: the registrar's Ed25519 public key (hex; null = no registrar, trees stay empty)
   * and how long a superseded root is still accepted in group proofs.
   */
  groups?: { registrarKey: string | null; rootWindowMinutes: number };
  /** The attested identity service started beside the board: `simulation` (development only), `gramine`, or `none`. */
  enclave: { producer: 'simulation' | 'gramine' | 'none' };
  /**
   * The origins (`scheme://host[:port]`) clients use to reach this server. Signed requests name the
   * origin they were signed for and are refused unless it is one of these. Default:
   * `defaultOrigins(host, port)`. Behind a load balancer: the public origin(s).
   */
  origins?: string[];
  /** Request/header/keep-alive timeouts and the per-IP connection cap. Default `DEFAULT_HTTP_LIMITS`. */
  http?: HttpLimits;
  /** fastify `trustProxy`: addresses of the load balancers whose X-Forwarded-For is believed (rate limits per client IP). Default: none. */
  trustProxy?: string[];
  /** The development data provider (`@veil/dev-registry`) on loopback; development profile only. */
  devRegistry?: { enabled: boolean };
  /**
   * The identity service whose notarised key observations the board collects (base URL; it must
   * observe the board's https issuers). Default: the identity service the board starts, if any.
   */
  keyObservations?: { from: string };
}

/** `http://127.0.0.1:PORT` and `http://localhost:PORT` (for host 127.0.0.1, localhost or 0.0.0.0), else `http://HOST:PORT`. */
export function defaultOrigins(host: string, port: number): string[] {
  if (['127.0.0.1', 'localhost', '0.0.0.0'].includes(host)) return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  return [new URL(`http://${host.includes(':') ? `[${host}]` : host}:${port}`).origin];
}

/** `value` as an origin (`scheme://host[:port]`, lower case, no path), or an ERR_CONFIG. */
function anOrigin(value: unknown, where: string): string {
  try {
    if (typeof value !== 'string') throw new Error();
    const u = new URL(value);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== value.replace(/\/$/, '').toLowerCase()) throw new Error();
    return u.origin;
  } catch {
    return fail(`${where} must be an http(s) origin such as "https://board.example" (no path)`);
  }
}

function httpLimits(raw: unknown): HttpLimits {
  if (raw === undefined) return { ...DEFAULT_HTTP_LIMITS };
  if (typeof raw !== 'object' || raw === null) fail('http must be an object');
  const l = { ...DEFAULT_HTTP_LIMITS, ...(raw as object) } as Record<string, unknown>;
  for (const k of Object.keys(DEFAULT_HTTP_LIMITS)) {
    const v = l[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || (k !== 'maxConnectionsPerIp' && v === 0)) fail(`http.${k} must be a positive integer${k === 'maxConnectionsPerIp' ? ' or 0 (no cap)' : ''}`);
  }
  return l as unknown as HttpLimits;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = {
  windowMs: 60_000,
  postsPerKey: 30,
  postsPerIp: 300,
  likesPerKey: 120,
  likesPerIp: 600,
  membershipsPerIp: 30,
  groupUpdatesPerIp: 600,
  pollsPerIp: 30,
  votesPerIp: 300,
  groupPostsPerIp: 300,
  groupLikesPerIp: 600,
  identityRequestsPerIp: 120,
};

const GOOGLE = { iss: 'https://accounts.google.com', jwks: 'https://www.googleapis.com/oauth2/v3/certs', authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth' };
const MICROSOFT = {
  jwks: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
  authorizationEndpoint: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
};
/** An email domain as the entra circuit binds it (at most 64 bytes, all ASCII here). */
const EMAIL_DOMAIN = /^[!-?A-~]{1,64}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The statements each kind of issuer may be configured for (the first is the default). */
const KIND_VARIANTS: Record<IssuerKind, readonly Variant[]> = { google: ['google', 'oidc'], microsoft: ['entra'], oidc: ['oidc'], dev: ['oidc'] };

export interface LoadConfigOptions {
  file?: string;
  port?: number;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}

const fail = (m: string): never => {
  throw new VeilError('ERR_CONFIG', m);
};

/** The smallest production config that starts: one real issuer (its OAuth client id is the `aud`). */
export const MINIMAL_PRODUCTION_CONFIG = '{"profile":"production","issuers":[{"kind":"google","aud":"<your OAuth client id>.apps.googleusercontent.com"}]}';

/**
 * @example
 * import { loadConfig } from '@veil/server';
 * const config = loadConfig({ file: process.env.VEIL_CONFIG, port: 8080 });
 * @throws VeilError ERR_CONFIG (unreadable/invalid file, dev component in production).
 */
export function loadConfig(o: LoadConfigOptions = {}): ServerConfig {
  const env = o.env ?? process.env;
  const file = o.file ?? env.VEIL_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new VeilError('ERR_CONFIG', `cannot read config ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('config must be a JSON object');
  }
  const profile = raw.profile ?? 'development';
  if (profile !== 'development' && profile !== 'production') fail('profile must be "development" or "production"');
  const host = typeof raw.host === 'string' ? raw.host : '127.0.0.1';
  const port = o.port ?? (env.PORT ? Number(env.PORT) : typeof raw.port === 'number' ? raw.port : 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('port must be an integer 0-65535');
  const dataDir = resolve(o.dataDir ?? (typeof raw.dataDir === 'string' ? raw.dataDir : './data'));
  const databaseUrl = typeof raw.databaseUrl === 'string' ? raw.databaseUrl : env.DATABASE_URL || undefined;
  const crs = raw.crs ?? (profile === 'production' ? 'aztec' : 'test');
  if (crs !== 'test' && crs !== 'aztec') fail('crs must be "test" or "aztec"');
  const devIssuer = {
    clientId: 'veil-dev',
    graceSeconds: 600,
    ...(typeof raw.devIssuer === 'object' && raw.devIssuer !== null ? (raw.devIssuer as object) : {}),
  } as ServerConfig['devIssuer'];
  const origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  const list = Array.isArray(raw.issuers) ? (raw.issuers as Record<string, unknown>[]) : [{ kind: 'dev' }];
  const ids = new Set<string>();
  const issuers = list.map((e, i): IssuerConfig => {
    const kind = e.kind as IssuerKind;
    if (!['google', 'microsoft', 'oidc', 'dev'].includes(kind)) fail(`issuers[${i}].kind must be google|microsoft|oidc|dev`);
    const str = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : undefined);
    let variant: Variant = KIND_VARIANTS[kind][0]!;
    if (e.variant !== undefined) {
      try {
        variant = aVariant(e.variant);
      } catch (err) {
        if (!isVeilError(err)) throw err;
        fail(`issuers[${i}].variant: ${err.message}`);
      }
      if (!KIND_VARIANTS[kind].includes(variant)) fail(`issuers[${i}].variant ${variant} does not fit kind ${kind} (${KIND_VARIANTS[kind].join(' or ')})`);
    }
    let c: IssuerConfig;
    if (kind === 'dev') {
      c = { id: 'dev', kind, iss: str('iss') ?? `${origin}/dev-issuer`, aud: str('aud') ?? devIssuer.clientId, variant, authorizationEndpoint: null, label: str('label') ?? 'Development sign-in (DEV)' };
      c.authorizationEndpoint = `${c.iss}/auth`;
    } else {
      const aud = str('aud') ?? fail(`issuers[${i}].aud (the OAuth client id) is required, e.g. {"kind":"${kind}","aud":"<your OAuth client id>"${kind === 'google' || kind === 'microsoft' ? '' : ',"iss":"https://…"'}}`);
      const iss = str('iss') ?? (kind === 'google' ? GOOGLE.iss : kind === 'microsoft' ? ENTRA_ISS_TEMPLATE : fail(`issuers[${i}].iss is required for kind ${kind}, e.g. {"kind":"${kind}","iss":"https://issuer.example","aud":"${aud}"}`));
      const defaults = kind === 'google' ? GOOGLE : kind === 'microsoft' ? MICROSOFT : { jwks: undefined, authorizationEndpoint: undefined };
      const jwks = str('jwks') ?? defaults.jwks;
      if (kind === 'microsoft' && iss.includes(ENTRA_CONSUMER_TENANT)) fail(`issuers[${i}].iss: ${ENTRA_CONSUMER_TENANT} is Microsoft's personal-accounts tenant, not an organisation`);
      let tenants: string[] | undefined;
      if (e.tenants !== undefined) {
        if (kind !== 'microsoft' || iss !== ENTRA_ISS_TEMPLATE) fail(`issuers[${i}].tenants: only for a multi-tenant microsoft issuer (no "iss")`);
        if (!Array.isArray(e.tenants) || e.tenants.length === 0 || !e.tenants.every((t) => typeof t === 'string' && GUID.test(t))) fail(`issuers[${i}].tenants must be a non-empty list of tenant ids (lower-case GUIDs)`);
        if ((e.tenants as string[]).includes(ENTRA_CONSUMER_TENANT)) fail(`issuers[${i}].tenants: ${ENTRA_CONSUMER_TENANT} is Microsoft's personal-accounts tenant, not an organisation`);
        tenants = e.tenants as string[];
      }
      let emailDomains: string[] | undefined;
      if (e.emailDomains !== undefined) {
        if (kind !== 'microsoft') fail(`issuers[${i}].emailDomains: only for a microsoft issuer (its entra statement can bind the email domain)`);
        if (!Array.isArray(e.emailDomains) || e.emailDomains.length === 0 || !e.emailDomains.every((d) => typeof d === 'string' && EMAIL_DOMAIN.test(d))) {
          fail(`issuers[${i}].emailDomains must be a non-empty list of domains such as "contoso.com" (no "@", at most 64 bytes)`);
        }
        emailDomains = e.emailDomains as string[];
      }
      c = {
        id: str('id') ?? kind,
        kind, iss, aud, variant,
        ...(tenants ? { tenants } : {}),
        ...(emailDomains ? { emailDomains } : {}),
        ...(jwks ? { jwks } : {}),
        authorizationEndpoint: str('authorizationEndpoint') ?? defaults.authorizationEndpoint ?? null,
        label: str('label') ?? (kind === 'google' ? 'Google' : kind === 'microsoft' ? 'Microsoft' : iss),
      };
    }
    if (ids.has(c.id)) fail(`issuers[${i}]: duplicate id ${c.id} (set "id")`);
    ids.add(c.id);
    return c;
  });
  const rateLimit = { ...DEFAULT_RATE_LIMIT, ...(typeof raw.rateLimit === 'object' && raw.rateLimit !== null ? (raw.rateLimit as object) : {}) } as RateLimitConfig;
  const circuits = Array.isArray(raw.circuits) ? (raw.circuits as string[]) : undefined;
  const rawEnclave = (typeof raw.enclave === 'object' && raw.enclave !== null ? raw.enclave : {}) as { producer?: unknown };
  const producer = rawEnclave.producer ?? (profile === 'production' ? 'none' : 'simulation');
  if (producer !== 'simulation' && producer !== 'gramine' && producer !== 'none') fail('enclave.producer must be "simulation", "gramine" or "none"');
  const rawDevRegistry = (typeof raw.devRegistry === 'object' && raw.devRegistry !== null ? raw.devRegistry : {}) as { enabled?: unknown };
  const devRegistryEnabled = rawDevRegistry.enabled ?? profile === 'development';
  if (typeof devRegistryEnabled !== 'boolean') fail('devRegistry.enabled must be true or false');
  const rawGroups = (typeof raw.groups === 'object' && raw.groups !== null ? raw.groups : {}) as { registrarKey?: unknown; rootWindowMinutes?: unknown };
  const registrarKey = rawGroups.registrarKey ?? env.VEIL_REGISTRAR_KEY ?? null;
  if (registrarKey !== null && (typeof registrarKey !== 'string' || !/^[0-9a-f]{64}$/.test(registrarKey))) fail('groups.registrarKey must be an Ed25519 public key, 64 lowercase hex digits');
  const rootWindowMinutes = rawGroups.rootWindowMinutes ?? 10;
  if (typeof rootWindowMinutes !== 'number' || !Number.isFinite(rootWindowMinutes) || rootWindowMinutes < 0 || rootWindowMinutes > 7 * 24 * 60) fail('groups.rootWindowMinutes must be 0-10080');
  const origins = raw.origins === undefined
    ? defaultOrigins(host, port)
    : Array.isArray(raw.origins) && raw.origins.length > 0 ? raw.origins.map((o, i) => anOrigin(o, `origins[${i}]`)) : fail('origins must be a non-empty array');
  const trustProxy = raw.trustProxy === undefined ? undefined
    : Array.isArray(raw.trustProxy) && raw.trustProxy.every((a) => typeof a === 'string') ? (raw.trustProxy as string[]) : fail('trustProxy must be an array of addresses or CIDR ranges');
  const rawObs = raw.keyObservations as { from?: unknown } | undefined;
  if (rawObs !== undefined && (typeof rawObs !== 'object' || rawObs === null || typeof rawObs.from !== 'string' || !/^https?:\/\/[^\s]+$/.test(rawObs.from) || Object.keys(rawObs).length !== 1)) {
    fail('keyObservations must be { "from": "<identity service base URL>" }');
  }
  const config: ServerConfig = {
    profile, host, port, dataDir, issuers, crs, rateLimit, devIssuer, origins, http: httpLimits(raw.http),
    groups: { registrarKey: registrarKey as string | null, rootWindowMinutes: rootWindowMinutes as number },
    ...(trustProxy ? { trustProxy } : {}),
    keyRefreshSeconds: typeof raw.keyRefreshSeconds === 'number' ? raw.keyRefreshSeconds : 3600,
    enclave: { producer },
    devRegistry: { enabled: devRegistryEnabled },
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(circuits ? { circuits } : {}),
    ...(rawObs ? { keyObservations: { from: rawObs.from as string } } : {}),
  } as ServerConfig;
  assertProfile(config, { issuersConfigured: Array.isArray(raw.issuers) });
  return config;
}

/**
 * Refuses development components in the production profile; each message names what is wrong and
 * what to write instead (a minimal working config where the issuers are the problem).
 */
export function assertProfile(c: ServerConfig, o: { issuersConfigured?: boolean } = {}): void {
  if (c.profile !== 'production') return;
  if (o.issuersConfigured === false) {
    fail(`the production profile refuses the dev issuer, the default when no "issuers" are configured: add a real one, e.g. ${MINIMAL_PRODUCTION_CONFIG}`);
  }
  if (c.issuers.some((i) => i.kind === 'dev')) fail(`the production profile refuses the dev issuer: remove {"kind":"dev"} from "issuers" and list real ones, e.g. ${MINIMAL_PRODUCTION_CONFIG}`);
  if (c.issuers.length === 0) fail(`no issuers configured: add {"kind":"google","aud":"<your OAuth client id>"} to "issuers", e.g. ${MINIMAL_PRODUCTION_CONFIG}`);
  if (c.crs === 'test') fail('the production profile refuses the test CRS ("crs": "test"): remove it — production proves with Aztec\'s CRS ("crs": "aztec", the default)');
  if (c.enclave.producer === 'simulation') fail('the production profile refuses simulated attestation ("enclave": { "producer": "simulation" }): use "gramine" on SGX hardware, or "none"');
  if (c.devRegistry?.enabled) fail('the production profile refuses the dev registry ("devRegistry": { "enabled": true })');
}
