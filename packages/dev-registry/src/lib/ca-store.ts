// The registry's CA lives in the data dir: generated at first start, reused afterwards, so a pin
// taken once (e.g. a provider config written to disk) stays valid across restarts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDevCa, importDevCa, type DevCa } from '../generate-certificates.ts';

export async function loadOrCreateCa(dataDir: string): Promise<DevCa> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const certPath = join(dataDir, 'ca.pem');
  const keyPath = join(dataDir, 'ca-key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) return importDevCa(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'));
  const ca = await generateDevCa({ commonName: 'Veil dev registry CA (DEVELOPMENT)' });
  writeFileSync(keyPath, ca.keyPem, { mode: 0o600 });
  writeFileSync(certPath, ca.certPem, { mode: 0o644 });
  return ca;
}
