// `veil verify-message` against a malicious board server (a real HTTP server that serves whatever
// the test crafts, as an attacker's server would) and an issuer whose JWKS the test controls.
// Issue 8: finding 1 (small-order keys and R refused by the CLI's signature check) and finding 2
// (an issuer key that only the server vouches for is ERR_KEY_UNVERIFIED unless the user pinned it,
// the issuer publishes it, or --trust-server-keys). A proof of the right size but random bytes
// shows where a key was accepted: verification then gets as far as the proof (ERR_PROOF_INVALID).
// Issue 12: a Microsoft multi-tenant board's template key counts only for its tenants' own iss.
// The whole flow with a real proof and `npm start`'s dev issuer is in server/test/e2e-serve.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodePost, generateMessageId, signPayload, type Post } from '@veil/crypto';
import { BAD_POINTS, forgeForSmallOrderKey, signWithR } from '../../crypto/test/helpers/ed25519-adversary.ts';
import { register as registerBoard } from '../src/commands/board.ts';
import { veilInProcess } from './veil-in-process.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const VEIL = join(REPO, 'packages/cli/bin/veil.mjs');
process.env.VEIL_CRS = 'test'; // what the spawned runs get, for the in-process ones
const dir = mkdtempSync(join(tmpdir(), 'veil-cli-verify-'));
const CIRCUIT = (JSON.parse(readFileSync(join(REPO, 'circuits/circuits.json'), 'utf8')) as { circuits: Array<{ name: string; id: string }> }).circuits[0]!;
const TEST_CRS_ID = /^membership\.(test-[0-9a-f]{64})\.json$/.exec(readdirSync(join(REPO, 'circuits/keys')).find((f) => f.startsWith('membership.test-'))!)![1]!;
const rsaJwk = (kid: string) => ({ kty: 'RSA', kid, alg: 'RS256', use: 'sig', ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as { n: string; e: string }) });

let board: Server;
let boardUrl = '';
let issuerUrl = '';
const details = new Map<string, unknown>();
const issuer = { iss: '', keys: [] as unknown[], discoveryIssuer: undefined as string | undefined };
/** What the board's /api/config lists besides its issuer (the entra test adds a Microsoft multi-tenant one). */
const moreIssuers: unknown[] = [];
const rogue = rsaJwk('rogue-kid');

function veil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VEIL, ...args], { timeout: 120_000, env: { ...process.env, VEIL_CRS: 'test' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  board = createServer((req, res) => {
    const url = req.url ?? '';
    const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (url === '/issuer/.well-known/openid-configuration') return send(200, { issuer: issuer.discoveryIssuer ?? issuer.iss, jwks_uri: `${issuerUrl}/jwks` });
    if (url === '/issuer/jwks') return send(200, { keys: issuer.keys });
    if (url === '/api/config') return send(200, { issuers: [{ id: 'x', kind: 'oidc', iss: issuer.iss, aud: 'veil-x', label: 'X' }, ...moreIssuers] });
    if (url.startsWith('/api/keys')) return send(200, { keys: [...details.values()].map((d) => (d as { issuerKey: unknown }).issuerKey) });
    const m = /^\/api\/messages\/([0-9a-f]{32})$/.exec(url);
    if (m && details.has(m[1]!)) return send(200, details.get(m[1]!));
    return send(404, { error: { code: 'ERR_NOT_FOUND', message: 'no' } });
  });
  await new Promise<void>((r) => board.listen(0, '127.0.0.1', () => r()));
  boardUrl = `http://127.0.0.1:${(board.address() as { port: number }).port}`;
  issuerUrl = `${boardUrl}/issuer`;
  issuer.iss = issuerUrl;
});
after(() => { board.close(); });

/** A post by `epk` with `signature` (default: honestly signed by `sk`) and a membership naming `jwk`. */
function publish(o: { sk?: string; epk?: string; sign?: (m: Post) => { message: Post; signature: string }; jwk?: typeof rogue; iss?: string; group?: string; aud?: string; keyIss?: string } = {}): string {
  const sk = o.sk ?? bytesToHex(ed25519.utils.randomSecretKey());
  const epk = o.epk ?? bytesToHex(ed25519.getPublicKey(Buffer.from(sk, 'hex')));
  const group = o.group ?? 'google.com';
  const base: Post = { v: 1, id: generateMessageId(), group, internal: false, text: 'I work at Google', createdAt: Date.now() - 1000, epk };
  const { message, signature } = o.sign ? o.sign(base) : { message: base, signature: signPayload(encodePost(base), sk) };
  const jwk = o.jwk ?? rogue;
  const iss = o.iss ?? issuer.iss;
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })).toString('base64url');
  const claims = { iss, aud: o.aud ?? 'veil-x', domain: group, epk, expiry: Math.floor(Date.now() / 1000) + 86400, kid: jwk.kid, header };
  const bundle = { v: 1, circuit: { name: CIRCUIT.name, id: CIRCUIT.id }, crs: { id: TEST_CRS_ID, kind: 'test' }, claims, proof: randomBytes(14592).toString('base64') };
  details.set(message.id, {
    message, signature, likes: 0, receivedAt: Date.now(),
    membership: { epk, group, iss, kid: jwk.kid, expiry: claims.expiry, circuitId: CIRCUIT.id, createdAt: Date.now(), bundle },
    issuerKey: { iss: o.keyIss ?? iss, kid: jwk.kid, jwk, firstSeen: 1, lastSeen: 2 },
  });
  return message.id;
}

/** The same command in this process (veil-in-process.ts); the spawned runs above keep the process contract. */
const cli = (...args: string[]) => veilInProcess(registerBoard, args);
const errCode = (stderr: string) => /veil: (ERR_[A-Z_]+)/.exec(stderr)?.[1];

test('finding 1: small-order keys and small-order or non-canonical R are refused (ERR_SIGNATURE_INVALID)', { timeout: 300_000 }, async () => {
  const ids: Array<[string, string]> = [];
  const sk = bytesToHex(ed25519.utils.randomSecretKey());
  for (const p of BAD_POINTS) {
    ids.push([p.label + ' as A', publish({ epk: p.hex, sign: (m) => {
      const f = forgeForSmallOrderKey(p.hex, (i) => encodePost({ ...m, text: `forged ${i}` }));
      return { message: { ...m, text: `forged ${f.attempt}` }, signature: f.signature };
    } })]);
    ids.push([p.label + ' as R', publish({ sk, sign: (m) => ({ message: m, signature: signWithR(sk, p.hex, encodePost(m)) }) })]);
  }
  // Every case through the command's own action in this process; the binary once each as A and as R.
  for (const [label, id] of ids) {
    const r = await veilInProcess(registerBoard, ['verify-message', '--server', boardUrl, '--trust-server-keys', id]);
    assert.equal(r.code, 1, label);
    assert.equal(errCode(r.stderr), 'ERR_SIGNATURE_INVALID', `${label}: ${r.stderr}`);
    assert.equal(r.stdout, '', label);
  }
  const spawned = await Promise.all(ids.slice(0, 2).map(([, id]) => veil('verify-message', '--server', boardUrl, '--trust-server-keys', id)));
  spawned.forEach((r, j) => {
    assert.equal(r.code, 1, ids[j]![0]);
    assert.equal(errCode(r.stderr), 'ERR_SIGNATURE_INVALID', `${ids[j]![0]}: ${r.stderr}`);
    assert.equal(r.stdout, '');
  });
});

test('finding 2: a key only the server vouches for is ERR_KEY_UNVERIFIED; issuer-published, pinned or --trust-server-keys keys reach the proof', { timeout: 300_000 }, async () => {
  const id = publish();
  issuer.keys = [rsaJwk('real-kid')];
  const r1 = await veil('verify-message', '--server', boardUrl, id);
  assert.equal(r1.code, 1);
  assert.equal(errCode(r1.stderr), 'ERR_KEY_UNVERIFIED', r1.stderr);
  assert.equal(r1.stdout, '');

  const unreachable = publish({ iss: 'http://127.0.0.1:1/issuer' });
  const r2 = await cli('verify-message', '--server', boardUrl, unreachable);
  assert.equal(errCode(r2.stderr), 'ERR_KEY_UNVERIFIED', r2.stderr);

  issuer.discoveryIssuer = 'https://someone-else.example';
  issuer.keys = [rogue];
  const r3 = await cli('verify-message', '--server', boardUrl, id);
  assert.equal(errCode(r3.stderr), 'ERR_KEY_UNVERIFIED', r3.stderr);
  issuer.discoveryIssuer = undefined;

  issuer.keys = [{ ...rsaJwk('rogue-kid') }];
  const r4 = await cli('verify-message', '--server', boardUrl, id);
  assert.equal(errCode(r4.stderr), 'ERR_ISSUER_KEY_MISMATCH', r4.stderr);

  const pinnedOther = join(dir, 'other.json');
  writeFileSync(pinnedOther, JSON.stringify({ keys: [rsaJwk('rogue-kid')] }));
  issuer.keys = [];
  const r5 = await cli('verify-message', '--server', boardUrl, '--jwks', pinnedOther, id);
  assert.equal(errCode(r5.stderr), 'ERR_ISSUER_KEY_MISMATCH', r5.stderr);

  // accepted sources: the verdict then rests on the proof (random bytes here)
  const pinned = join(dir, 'pinned.json');
  writeFileSync(pinned, JSON.stringify({ keys: [rogue] }));
  const viaPinned = await cli('verify-message', '--server', boardUrl, '--jwks', pinned, id);
  assert.equal(errCode(viaPinned.stderr), 'ERR_PROOF_INVALID', viaPinned.stderr);
  const viaFlag = await cli('verify-message', '--server', boardUrl, '--trust-server-keys', id);
  assert.equal(errCode(viaFlag.stderr), 'ERR_PROOF_INVALID', viaFlag.stderr);
  assert.match(viaFlag.stderr, /warning: key vouched for only by the server/);
  issuer.keys = [rogue];
  const viaIssuer = await cli('verify-message', '--server', boardUrl, id);
  assert.equal(errCode(viaIssuer.stderr), 'ERR_PROOF_INVALID', viaIssuer.stderr);

  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"keys": 1}');
  assert.equal(errCode((await cli('verify-message', '--server', boardUrl, '--jwks', bad, id)).stderr), 'ERR_JWKS_MALFORMED');
  assert.equal((await veil('verify-message', '--server', boardUrl, '--jwks', join(dir, 'missing.json'), id)).code, 2);
});

test('entra: the template issuer key counts only for a proof of its own admitted tenant\'s iss', { timeout: 300_000 }, async () => {
  const TEMPLATE = 'https://login.microsoftonline.com/{tenantid}/v2.0';
  const TID = '4f7c1e2a-93b5-4d0e-8a6f-2b1c9d3e5f70';
  const OTHER = '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b';
  const CONSUMER = '9188040d-6c67-4c5b-b112-36a304b66dad';
  const tenantIss = (t: string) => `https://login.microsoftonline.com/${t}/v2.0`;
  moreIssuers.push({ id: 'microsoft', kind: 'microsoft', iss: TEMPLATE, aud: 'app-id', variant: 'entra', tenants: [TID, OTHER], label: 'Microsoft' });
  const pinned = join(dir, 'common.json');
  writeFileSync(pinned, JSON.stringify({ keys: [rogue] }));
  const entra = (tid: string, iss = tenantIss(tid)) => publish({ group: tid, iss, aud: 'app-id', keyIss: TEMPLATE });
  // the key accepted: the prover's verifier is reached, and refuses this (oidc-shaped, random) bundle
  // for the board's entra statement
  const cases: Array<[string, string, string]> = [
    ['an admitted tenant', entra(TID), 'ERR_VARIANT_MISMATCH'],
    ['a tenant not in the allow-list', entra('1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d'), 'ERR_ISSUER_KEY_MISMATCH'],
    ['the consumer tenant', entra(CONSUMER), 'ERR_ISSUER_KEY_MISMATCH'],
    ['an iss of another tenant than the group', entra(TID, tenantIss(OTHER)), 'ERR_ISSUER_KEY_MISMATCH'],
    ['a template key for a non-Microsoft issuer', publish({ keyIss: TEMPLATE }), 'ERR_ISSUER_KEY_MISMATCH'],
  ];
  const runs = [];
  for (const [i, [, id]] of cases.entries()) runs.push(await (i === 0 ? veil : cli)('verify-message', '--server', boardUrl, '--jwks', pinned, id));
  runs.forEach((r, i) => {
    assert.equal(r.code, 1, cases[i]![0]);
    assert.equal(errCode(r.stderr), cases[i]![2], `${cases[i]![0]}: ${r.stderr}`);
  });
  moreIssuers.length = 0;
});
