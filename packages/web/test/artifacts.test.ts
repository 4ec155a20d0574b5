// Issue 8, finding 2: the web app pins circuit ids and verification-key hashes at build time and
// does not take them from the server. A real HTTP server plays a server that swaps the verification
// key, or lists another circuit in its manifest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isVeilError } from '@veil/crypto';
import { fetchArtifacts } from '../src/app/workers/artifacts.ts';
import { KEYS_DIR, pinKey, pinnedArtifacts } from '../src/pinned-artifacts.ts';

const pins = pinnedArtifacts();
const keyFile = readdirSync(KEYS_DIR).find((f) => /^membership\.test-[0-9a-f]{64}\.json$/.test(f))!;
const honest = JSON.parse(readFileSync(join(KEYS_DIR, keyFile), 'utf8')) as { circuit: { name: string; id: string }; crs: string; vk: string };
const circuit = honest.circuit;
let served: { vk: string; manifest: unknown } = { vk: honest.vk, manifest: {} };
const requests: string[] = [];
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url === '/artifacts/circuits.json') return res.end(JSON.stringify(served.manifest));
    if (req.url === `/artifacts/keys/${keyFile}`) return res.end(JSON.stringify({ ...honest, vk: served.vk }));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/artifacts`;
});
after(() => { server.close(); });

test('the pins come from circuits/: the manifest ids and the sha256 of each committed key', () => {
  assert.ok(pins.circuits.some((c) => c.name === circuit.name && c.id === circuit.id));
  assert.match(pins.verificationKeys[pinKey(circuit, honest.crs)]!, /^[0-9a-f]{64}$/);
});

test('issue 12: every current membership circuit is pinned with its variant and key hash (google and entra included)', () => {
  const manifest = JSON.parse(readFileSync(join(KEYS_DIR, '..', 'circuits.json'), 'utf8')) as { circuits: Array<{ name: string; id: string; kind?: string; variant?: string; status?: string }> };
  const current = manifest.circuits.filter((c) => c.kind === 'membership' && (c.status ?? 'current') === 'current');
  assert.deepEqual(current.map((c) => c.variant).sort(), ['entra', 'google', 'oidc']);
  for (const c of current) {
    assert.ok(pins.circuits.some((p) => p.name === c.name && p.id === c.id && p.variant === c.variant), c.name);
    assert.match(pins.verificationKeys[pinKey(c, honest.crs)]!, /^[0-9a-f]{64}$/, c.name);
  }
});

test('the pinned key is accepted; a swapped key is refused (ERR_VK_MISMATCH)', async () => {
  served = { ...served, vk: honest.vk };
  const vk = await fetchArtifacts(base, pins).verificationKey(circuit, honest.crs);
  assert.deepEqual(vk, new Uint8Array(Buffer.from(honest.vk, 'base64')));
  const swapped = Buffer.from(honest.vk, 'base64');
  swapped[swapped.length - 1]! ^= 1;
  served = { ...served, vk: swapped.toString('base64') };
  await assert.rejects(fetchArtifacts(base, pins).verificationKey(circuit, honest.crs), (e) => isVeilError(e, 'ERR_VK_MISMATCH'));
  served = { ...served, vk: honest.vk };
});

test("the server's manifest is not read, and keys without a pin are never fetched (computed from the pinned program)", async () => {
  served = { ...served, manifest: { circuits: [{ name: 'membership', id: 'ab'.repeat(32) }] } };
  requests.length = 0;
  const loader = fetchArtifacts(base, pins);
  const listed = await loader.circuits();
  assert.ok(listed.every((c) => pins.circuits.some((p) => p.id === c.id)) && !listed.some((c) => c.id === 'ab'.repeat(32)));
  // Every current circuit is listed (retired ones only until their date).
  assert.deepEqual(listed.filter((c) => c.acceptedUntil === undefined), pins.circuits.filter((c) => c.acceptedUntil === undefined));
  assert.equal(await loader.verificationKey(circuit, 'aztec-ignition'), undefined);
  assert.equal(await loader.verificationKey({ name: circuit.name, id: 'ab'.repeat(32) }, honest.crs), undefined);
  assert.deepEqual(requests, []);
});
