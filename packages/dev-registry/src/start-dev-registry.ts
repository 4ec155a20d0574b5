/**
 * A development "citizen registry": an HTTPS data provider on loopback (TLS 1.3 only) with its own
 * CA, test people, bearer credentials and `GET /api/v1/me`. Development profile only.
 *
 *   GET  /dev/people                  → [{ id, name }]                      (DEVELOPMENT)
 *   POST /dev/people/:id/credential   → 201 { id, credential }               (DEVELOPMENT: anyone gets anyone's)
 *   GET  /api/v1/me                   → 200 the person's JSON record, for `Authorization: Bearer <credential>`
 *
 * Credentials are 32 random bytes, base64url (43 characters), kept in memory only: they die with
 * the process. Errors are `{ error: { code, message } }`.
 */
import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { VeilError } from '@veil/crypto';
import { issueServerCertificate, type ServerCertificate } from './generate-certificates.ts';
import { loadOrCreateCa } from './lib/ca-store.ts';
import { DEV_PEOPLE, type DevPerson } from './people.ts';

/** Length of every credential the registry issues (base64url of 32 bytes). Public by design. */
export const CREDENTIAL_LENGTH = 43;
export const ME_PATH = '/api/v1/me';

export interface DevRegistryOptions {
  /** Directory for the CA (`ca.pem`, `ca-key.pem`). */
  dataDir: string;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Names in the server certificate (default `127.0.0.1`, `localhost`). Tests: a certificate for another host. */
  serverNames?: string[];
  /** Serve this certificate instead of one from the CA. Tests only: chains that must be refused. */
  certificate?: ServerCertificate;
}

/** The provider-registry entry describing a registry (see @veil/identity/notary, parseProviderConfig). */
export interface DevRegistryProvider {
  name: string;
  baseUrl: string;
  path: string;
  ca: { pem: string };
  fields: { name: string; birthdate: string; nationality: string };
  credential: { header: 'authorization'; prefix: 'Bearer '; length: number };
}

export interface DevRegistry {
  /** `https://<host>:<port>` */
  readonly url: string;
  /** The CA certificate to pin. */
  readonly caPem: string;
  readonly people: readonly DevPerson[];
  /** The provider config for this registry (name `dev-registry`). */
  readonly provider: DevRegistryProvider;
  /** How many HTTP requests reached the registry (tests: "nothing was sent"). */
  readonly requestCount: number;
  /** A fresh bearer credential for a test person. @throws VeilError ERR_PERSON_UNKNOWN */
  issueCredential(id: string): string;
  close(): Promise<void>;
}

/**
 * @example
 * import { startDevRegistry } from '@veil/dev-registry';
 * const reg = await startDevRegistry({ dataDir: './data/dev-registry' });
 * const credential = reg.issueCredential('zoe');
 * // GET `${reg.url}/api/v1/me` with `Authorization: Bearer ${credential}`, pinning reg.caPem
 * @throws TypeError for a non-loopback host.
 */
export async function startDevRegistry(o: DevRegistryOptions): Promise<DevRegistry> {
  const host = o.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) throw new TypeError(`host ${host}: the dev registry listens on loopback only`);
  const ca = await loadOrCreateCa(o.dataDir);
  const cert = o.certificate ?? (await issueServerCertificate(ca, { names: o.serverNames ?? ['127.0.0.1', 'localhost'] }));
  const people = new Map(DEV_PEOPLE.map((p) => [p.id, p]));
  // Keyed by SHA-256 of the credential, so a lookup does not branch on the secret's bytes.
  const credentials = new Map<string, string>();
  const digest = (s: string) => createHash('sha256').update(s).digest('hex');
  let requestCount = 0;

  const issueCredential = (id: string): string => {
    if (!people.has(id)) throw new VeilError('ERR_PERSON_UNKNOWN', `no test person with id ${JSON.stringify(id)}`);
    const credential = randomBytes(32).toString('base64url');
    credentials.set(digest(credential), id);
    return credential;
  };

  const app = Fastify({
    https: { key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.3' },
    logger: false,
  });
  app.addHook('onRequest', async (_req, reply) => {
    requestCount++;
    reply.header('cache-control', 'no-store');
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    void reply.code(status).send({ error: { code: status === 500 ? 'ERR_INTERNAL' : (err.code ?? 'ERR_BAD_REQUEST'), message: err.message } });
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: 'no such endpoint' } });
  });

  app.get('/dev/people', async () => DEV_PEOPLE.map((p) => ({ id: p.id, name: p.name })));
  app.post<{ Params: { id: string } }>(
    '/dev/people/:id/credential',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9-]{1,32}$' } }, required: ['id'] } } },
    async (req, reply) => {
      if (!people.has(req.params.id)) return reply.code(404).send({ error: { code: 'ERR_PERSON_UNKNOWN', message: `no test person ${req.params.id}` } });
      return reply.code(201).send({ id: req.params.id, credential: issueCredential(req.params.id) });
    },
  );
  app.get(ME_PATH, async (req, reply) => {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(auth);
    const id = m ? credentials.get(digest(m[1]!)) : undefined;
    if (!id) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'ERR_UNAUTHORIZED', message: 'a valid bearer credential is required' } });
    }
    return reply.header('content-type', 'application/json; charset=utf-8').send(people.get(id)!.record);
  });

  await app.listen({ host, port: o.port ?? 0 });
  const { port } = app.server.address() as { port: number };
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    caPem: ca.certPem,
    people: DEV_PEOPLE,
    provider: {
      name: 'dev-registry',
      baseUrl: url,
      path: ME_PATH,
      ca: { pem: ca.certPem },
      fields: { name: '$.person.name.full', birthdate: '$.person.birth.date', nationality: '$.person.nationalities[0].country' },
      credential: { header: 'authorization', prefix: 'Bearer ', length: CREDENTIAL_LENGTH },
    },
    get requestCount() {
      return requestCount;
    },
    issueCredential,
    close: () => app.close(),
  };
}
