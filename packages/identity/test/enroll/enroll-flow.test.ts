// The whole enrollment flow over real TLS (dev registry), a real UID node and the real HPKE channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { deriveUid } from '@veil/uid';
import { connectIdentityService, enroll, link, participate, sealIdentityRequest, verifyClaims, canonicaliseRecord, encodeUidInput, type IdentityConnection } from '../../src/enroll/index.ts';
import { openSqliteIdentityStore } from '../../src/enroll/storage/index.ts';
import { M_IDENTITY, startStack } from './helpers.ts';

const edKey = () => ({ alg: 'ed25519' as const, secretKey: bytesToHex(generateEphemeralKey().secretKey) });
const code = (c: string) => (e: { code?: string }) => { assert.equal(e.code, c); return true; };

test('enrollment: fields to the user only, claims, same person → same UID, another person → another UID, once per context', async () => {
  const s = await startStack();
  try {
    const conn: IdentityConnection = await connectIdentityService({ url: s.enclave.url, measurements: [M_IDENTITY], allowSimulation: true });
    assert.equal(conn.simulated, true);
    assert.deepEqual(conn.providers, ['dev-registry']);
    await assert.rejects(connectIdentityService({ url: s.enclave.url, measurements: [M_IDENTITY] }), code('ERR_SIMULATION_NOT_ALLOWED'));
    await assert.rejects(connectIdentityService({ url: s.enclave.url, measurements: ['00'.repeat(32)], allowSimulation: true }), code('ERR_MEASUREMENT_MISMATCH'));

    const zoe1 = edKey();
    const credential = s.registry.issueCredential('zoe');
    const r1 = await enroll(conn, { provider: 'dev-registry', credential, key: zoe1 });
    assert.deepEqual(r1.fields, { name: 'Zoë Ó Briain', birthdate: '1991-03-14', nationality: 'IE' });
    const facts = await verifyClaims(r1.claims, { measurements: [M_IDENTITY], allowSimulation: true });
    assert.deepEqual(facts.claims, { nationality: 'IE', age_over_18: true, unique: true });
    assert.ok(!JSON.stringify(r1.claims).includes('Zoë') && !JSON.stringify(r1.claims).includes('1991-03-14'), 'no name or birthdate in the claims');
    // the service's code only ever held the credential masked
    assert.equal(s.maskedSeen.length, 1);
    assert.notEqual(Buffer.from(s.maskedSeen[0]!).toString('latin1'), credential);
    assert.ok(!Buffer.from(s.maskedSeen[0]!).toString('latin1').includes(credential.slice(0, 8)));

    // same person, new session, new credential, new key → same UID
    const zoe2 = edKey();
    await enroll(conn, { provider: 'dev-registry', credential: s.registry.issueCredential('zoe'), key: zoe2 });
    const juergen = edKey();
    const rj = await enroll(conn, { provider: 'dev-registry', credential: s.registry.issueCredential('juergen'), key: juergen });
    assert.equal(rj.fields.name, 'Jürgen Weiß');
    const lucas = edKey();
    const rl = await enroll(conn, { provider: 'dev-registry', credential: s.registry.issueCredential('lucas'), key: lucas });
    assert.equal(rl.claims.claims.age_over_18, false, 'under 18');

    const store = openSqliteIdentityStore({ path: join(s.dir, 'enclave', 'identity.sqlite') });
    const { publicKeyOf } = await import('../../src/enroll/user-key.ts');
    const uidZoe = await store.uidOfKey(publicKeyOf('ed25519', zoe1.secretKey));
    assert.match(uidZoe!, /^[0-9a-f]{128}$/);
    assert.equal(await store.uidOfKey(publicKeyOf('ed25519', zoe2.secretKey)), uidZoe);
    const uidJ = await store.uidOfKey(publicKeyOf('ed25519', juergen.secretKey));
    assert.notEqual(uidJ, uidZoe);

    // names differing only in Unicode form, case or spacing → the same UID from the real UID node
    const attestCaller = async (rd: Uint8Array) => ({ type: 'simulation' as const, evidence: await s.producer.evidence(rd) });
    for (const name of ['Zoe\u0308 O\u0301 Briain', '  zoË   ó BRIAIN ']) {
      const input = encodeUidInput(canonicaliseRecord({ name, birthdate: '1991-03-14', nationality: 'ie' }));
      assert.equal((await deriveUid({ input, group: s.group, attestCaller, verifyNode: s.verifyNode })).uid, uidZoe, name);
    }
    await store.close();

    // participation: once per person and context, through any linked key
    assert.deepEqual(await participate(conn, { context: 'poll-1', key: zoe1 }), { accepted: true, context: 'poll-1' });
    await assert.rejects(participate(conn, { context: 'poll-1', key: zoe2 }), code('ERR_ALREADY_PARTICIPATED'));
    await participate(conn, { context: 'poll-1', key: juergen });
    const wallet = { alg: 'secp256k1' as const, secretKey: bytesToHex(secp256k1.utils.randomSecretKey()) };
    assert.deepEqual(await link(conn, { claims: r1.claims, holder: zoe1, key: wallet }), { linked: 'linked' });
    assert.deepEqual(await link(conn, { claims: r1.claims, holder: zoe1, key: wallet }), { linked: 'already' });
    await assert.rejects(link(conn, { claims: r1.claims, holder: edKey(), key: edKey() }), code('ERR_SIGNATURE_INVALID'));
    await assert.rejects(link(conn, { claims: r1.claims, holder: zoe1, key: juergen }), code('ERR_KEY_LINKED_ELSEWHERE'));
    const poll2 = await Promise.allSettled([zoe1, zoe2, wallet, zoe1, wallet].map((key) => participate(conn, { context: 'poll-2', key })));
    assert.equal(poll2.filter((r) => r.status === 'fulfilled').length, 1, 'concurrent attempts by one person: exactly one accepted');
    await assert.rejects(participate(conn, { context: 'poll-3', key: edKey() }), code('ERR_NOT_ENROLLED'));
  } finally {
    await s.close();
  }
});

test('enrollment refusals: a bad credential, a replayed request, a tampered request; nothing stored', async () => {
  const s = await startStack();
  try {
    const conn = await connectIdentityService({ url: s.enclave.url, measurements: [M_IDENTITY], allowSimulation: true });
    const key = edKey();
    await assert.rejects(enroll(conn, { provider: 'dev-registry', credential: 'A'.repeat(43), key }), code('ERR_PROVIDER_STATUS'));
    await assert.rejects(enroll(conn, { provider: 'dev-registry', credential: 'short', key }), code('ERR_PROVIDER_CREDENTIAL_INVALID'));
    await assert.rejects(enroll(conn, { provider: 'nope', credential: s.registry.issueCredential('zoe'), key }), code('ERR_PROVIDER_UNKNOWN'));
    await assert.rejects(participate(conn, { context: 'c', key }), code('ERR_NOT_ENROLLED'), 'the failed enrollments stored nothing');

    const post = (body: unknown) => fetch(`${s.enclave.url}/identity/v1/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const { message, openReply } = await sealIdentityRequest(conn.channelPublicKey, 'session', {});
    const first = await post(message);
    assert.equal(first.status, 200);
    assert.ok(((await openReply(await first.json())) as { ok: boolean }).ok);
    const again = await post(message);
    assert.equal(again.status, 400);
    assert.equal((await again.json()).error.code, 'ERR_REQUEST_REPLAYED');
    const fresh = await sealIdentityRequest(conn.channelPublicKey, 'session', {});
    const ct = Buffer.from(fresh.message.ciphertext, 'base64');
    ct[5]! ^= 1;
    const tampered = await post({ ...fresh.message, ciphertext: ct.toString('base64') });
    assert.equal(tampered.status, 400);
    assert.equal((await tampered.json()).error.code, 'ERR_CHANNEL_DECRYPT');
    const malformed = await post({ v: 1, enc: 'x' });
    assert.equal((await malformed.json()).error.code, 'ERR_REQUEST_MALFORMED');
  } finally {
    await s.close();
  }
});

test('op-level refusals: unknown op, malformed bodies, a session used twice, forged and stale participation signatures', async () => {
  const s = await startStack();
  try {
    const conn = await connectIdentityService({ url: s.enclave.url, measurements: [M_IDENTITY], allowSimulation: true });
    await assert.rejects(conn.request('admin.dump', {}), code('ERR_OP_UNKNOWN'));
    await assert.rejects(conn.request('enroll.begin', { provider: 'dev-registry', extra: 1 }), code('ERR_REQUEST_MALFORMED'));
    await assert.rejects(conn.request('participate', { context: 'has space', ts: Date.now(), key: { alg: 'ed25519', publicKey: '00'.repeat(32) }, signature: '00'.repeat(64) }), code('ERR_REQUEST_MALFORMED'));
    await assert.rejects(conn.request('enroll.complete', { session: '00'.repeat(32), maskedCredential: 'AAAA', key: { alg: 'ed25519', publicKey: '00'.repeat(32) }, signature: '00'.repeat(64) }), code('ERR_SESSION_UNKNOWN'));

    const key = edKey();
    await enroll(conn, { provider: 'dev-registry', credential: s.registry.issueCredential('amara'), key });
    // a session is good for one enroll.complete only, and only with a signature by the key it names
    const { publicKeyOf, signAsUser, signedMessages } = await import('../../src/enroll/user-key.ts');
    const begun = await conn.request<{ session: string; mask: string }>('enroll.begin', { provider: 'dev-registry' });
    const other = edKey();
    const forged = { session: begun.session, maskedCredential: Buffer.alloc(43).toString('base64'), key: publicKeyOf('ed25519', key.secretKey),
      signature: signAsUser('ed25519', other.secretKey, signedMessages.enroll(Buffer.from(begun.session, 'hex'))) };
    await assert.rejects(conn.request('enroll.complete', forged), code('ERR_SIGNATURE_INVALID'));
    await assert.rejects(conn.request('enroll.complete', forged), code('ERR_SESSION_UNKNOWN'), 'the failed attempt used the session up');

    const pub = publicKeyOf('ed25519', key.secretKey);
    const ts = Date.now();
    await assert.rejects(conn.request('participate', { context: 'p', ts, key: pub, signature: signAsUser('ed25519', other.secretKey, signedMessages.participate('p', ts)) }), code('ERR_SIGNATURE_INVALID'));
    await assert.rejects(conn.request('participate', { context: 'p', ts, key: pub, signature: signAsUser('ed25519', key.secretKey, signedMessages.participate('q', ts)) }), code('ERR_SIGNATURE_INVALID'), 'signed for another context');
    const old = ts - 10 * 60_000;
    await assert.rejects(conn.request('participate', { context: 'p', ts: old, key: pub, signature: signAsUser('ed25519', key.secretKey, signedMessages.participate('p', old)) }), code('ERR_REQUEST_STALE'));
    // after all those refusals the person can still take part once
    await participate(conn, { context: 'p', key });
  } finally {
    await s.close();
  }
});
