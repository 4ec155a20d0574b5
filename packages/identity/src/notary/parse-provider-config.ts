/**
 * The provider registry's entry format (JSON, schema-validated): which data provider the identity
 * service may fetch a record from, how the request looks, which CA it pins, and where the three
 * fields sit in the answer.
 *
 *   { "name": "dev-registry", "baseUrl": "https://127.0.0.1:4443", "path": "/api/v1/me",
 *     "ca": { "pem": "-----BEGIN CERTIFICATE-----…" } | "system",
 *     "fields": { "name": "$.person.name.full", "birthdate": "$.person.birth.date",
 *                 "nationality": "$.person.nationalities[0].country" },
 *     "credential": { "header": "authorization", "prefix": "Bearer ", "length": 43 } }
 *
 * `ca: { pem }` pins one or more CA certificates (only they are trust anchors); `"system"` uses
 * Node's bundled root store. The credential's length is public and fixed: the client's span in the
 * request is exactly that long.
 */
import { X509Certificate } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { VeilError } from '@veil/crypto';
import { parseJsonPath, type JsonPathStep } from './lib/json-path.ts';

const JsonPath = Type.String({ minLength: 2, maxLength: 512, pattern: '^\\$' });

export const ProviderConfigSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
    baseUrl: Type.String({ pattern: '^https://', maxLength: 2048 }),
    // RFC 3986 path characters only: no spaces, CR, LF or other controls can reach the request line.
    path: Type.String({ pattern: "^/[A-Za-z0-9\\-._~!$&'()*+,;=:@/%?]*$", maxLength: 2048 }),
    ca: Type.Union([Type.Object({ pem: Type.String({ minLength: 1, maxLength: 65536 }) }, { additionalProperties: false }), Type.Literal('system')]),
    fields: Type.Object({ name: JsonPath, birthdate: JsonPath, nationality: JsonPath }, { additionalProperties: false }),
    credential: Type.Object(
      {
        // An HTTP field name (RFC 9110 token), lower case.
        header: Type.String({ pattern: "^[a-z0-9!#$%&'*+\\-.^_`|~]{1,64}$" }),
        // Visible ASCII and spaces only.
        prefix: Type.String({ pattern: '^[\\x20-\\x7e]{0,64}$' }),
        length: Type.Integer({ minimum: 8, maximum: 1024 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ProviderConfig = Static<typeof ProviderConfigSchema>;

/** A validated provider entry with its URL and paths taken apart. */
export interface ParsedProvider {
  readonly config: ProviderConfig;
  readonly host: string;
  readonly port: number;
  /** The Host header: host, plus `:port` when it is not 443. */
  readonly authority: string;
  /** Request target: the base URL's path joined with `path`. */
  readonly target: string;
  /** PEM CA certificates to pin, or undefined for the system roots. */
  readonly ca: string[] | undefined;
  readonly fields: { readonly name: JsonPathStep[]; readonly birthdate: JsonPathStep[]; readonly nationality: JsonPathStep[] };
}

const fail = (message: string): never => {
  throw new VeilError('ERR_PROVIDER_CONFIG', message);
};

/**
 * Validates a provider entry against the schema and the rules the schema cannot say: an https
 * base URL without credentials, query or fragment; PEMs that parse as CA certificates; JSON paths in
 * the supported subset.
 * @example
 * import { parseProviderConfig } from '@veil/identity/notary';
 * const provider = parseProviderConfig(JSON.parse(readFileSync('providers/dev-registry.json', 'utf8')));
 * @throws VeilError ERR_PROVIDER_CONFIG
 */
export function parseProviderConfig(input: unknown): ParsedProvider {
  if (!Value.Check(ProviderConfigSchema, input)) {
    const first = Value.Errors(ProviderConfigSchema, input).First();
    fail(`provider config${first?.path ?? ''}: ${first?.message ?? 'invalid'}`);
  }
  const config = input as ProviderConfig;
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    return fail(`provider config /baseUrl: not a URL`);
  }
  if (url.protocol !== 'https:') fail('provider config /baseUrl: must be https');
  if (url.username || url.password || url.search || url.hash) fail('provider config /baseUrl: no credentials, query or fragment');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : 443;
  const base = url.pathname.replace(/\/$/, '');
  let ca: string[] | undefined;
  if (config.ca !== 'system') {
    const pems = config.ca.pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (pems.length === 0) fail('provider config /ca/pem: no PEM certificate');
    for (const pem of pems) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(pem);
      } catch {
        return fail('provider config /ca/pem: a certificate does not parse');
      }
      if (!cert.ca) fail(`provider config /ca/pem: ${cert.subject.replace(/\n/g, ', ')} is not a CA certificate`);
    }
    ca = pems;
  }
  const steps = (k: 'name' | 'birthdate' | 'nationality') => parseJsonPath(config.fields[k]) ?? fail(`provider config /fields/${k}: unsupported JSON path (use $.a.b, $.a[0], $['a b'])`);
  return Object.freeze({
    config,
    host,
    port,
    authority: port === 443 ? url.host.replace(/:443$/, '') : url.host,
    target: `${base}${config.path}`,
    ca,
    fields: Object.freeze({ name: steps('name'), birthdate: steps('birthdate'), nationality: steps('nationality') }),
  });
}
