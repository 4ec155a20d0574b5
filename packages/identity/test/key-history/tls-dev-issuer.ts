// The real dev OIDC issuer (@veil/dev-issuer) served over real TLS 1.3 with a certificate from a
// development CA (@veil/dev-registry's generator), for the key-observation tests.
import { createServer, type Server } from 'node:https';
import { createDevIssuer, type DevIssuer } from '@veil/dev-issuer';
import { generateDevCa, issueServerCertificate, type DevCa } from '@veil/dev-registry';

export interface TlsDevIssuer {
  dev: DevIssuer;
  ca: DevCa;
  iss: string;
  close(): Promise<void>;
}

/** Serves `handle` (or the dev issuer) on https://127.0.0.1:PORT. */
export async function startTlsServer(ca: DevCa, handle: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  const cert = await issueServerCertificate(ca, { names: ['127.0.0.1'] });
  const server = createServer({ cert: cert.certPem, key: cert.keyPem, minVersion: 'TLSv1.3' }, handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return { server, origin: `https://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
}

export async function startTlsDevIssuer(dataDir: string, o: { graceSeconds?: number; now?: () => number } = {}): Promise<TlsDevIssuer> {
  const ca = await generateDevCa({ commonName: 'Veil test issuer CA' });
  let dev: DevIssuer | undefined;
  const { server, origin } = await startTlsServer(ca, (req, res) => {
    if (!dev) return void res.writeHead(503).end();
    void dev.handle(req, res);
  });
  dev = await createDevIssuer({ issuer: `${origin}/dev-issuer`, dataDir, redirectUris: [`${origin}/`], ...o });
  return {
    dev, ca, iss: dev.issuer,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
