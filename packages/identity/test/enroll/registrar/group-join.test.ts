// The registrar behind the real enrollment stack (dev registry over TLS, UID node, HPKE channel).
// The board here is the replica of helpers.ts; the real board is used end to end in
// packages/cli/test/group-join.test.ts. Refusals must reach the board with nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex, deriveCommitment, generateEphemeralKey, generateIdentitySecret } from '@veil/crypto';
import { connectIdentityService, enroll, joinGroup, link, publicKeyOf, signAsUser, signedMessages, verifyRegistrarAttestation } from '../../../src/enroll/index.ts';
import { M_IDENTITY, startBoardReplica, startStack } from '../helpers.ts';

const edKey = () => ({ alg: 'ed25519' as const, secretKey: bytesToHex(generateEphemeralKey().secretKey) });
const code = (c: string) => (e: { code?: string }) => { assert.equal(e.code, c); return true; };
const commitment = async () => deriveCommitment(generateIdentitySecret());

test('registrar: one commitment per person and group, attested facts only, replacement, refusals reach the board with nothing', { timeout: 300_000 }, async () => {
  let key = '';
  const board = await startBoardReplica(() => key);
  const s = await startStack({ registrar: { boardUrl: board.url } });
  try {
    key = s.enclave.enrollment!.registrarKey()!;
    assert.match(key, /^[0-9a-f]{64}$/);
    // The signer route publishes the registrar key with evidence binding it to this measurement.
    const published = await (await fetch(`${s.enclave.url}/identity/v1/signer`)).json();
    assert.equal((await verifyRegistrarAttestation(published, { measurements: [M_IDENTITY], allowSimulation: true }, key)).publicKey, key);
    const conn = await connectIdentityService({ url: s.enclave.url, measurements: [M_IDENTITY], allowSimulation: true });
    const zoe = edKey();
    const zoePhone = edKey();
    const lucas = edKey();
    const zoeClaims = (await enroll(conn, { provider: 'dev-registry', credential: s.registry.issueCredential('zoe'), key: zoe })).claims;
    const lucasClaims = (await enroll(conn, { provider: 'dev-registry', credential: s.registry.issueCredential('lucas'), key: lucas })).claims;
    await link(conn, { claims: zoeClaims, holder: zoe, key: zoePhone });

    const c1 = await commitment();
    assert.deepEqual(await joinGroup(conn, { group: 'human', commitment: c1, claims: zoeClaims, key: zoe }), { group: 'human', leafIndex: 0, size: 1 });
    const before = board.received.length;
    // Refusals, none of which reaches the board:
    await assert.rejects(joinGroup(conn, { group: 'human', commitment: await commitment(), claims: zoeClaims, key: zoePhone }), code('ERR_ALREADY_REGISTERED'));
    await assert.rejects(joinGroup(conn, { group: 'country:FR', commitment: await commitment(), claims: zoeClaims, key: zoe }), code('ERR_NOT_ELIGIBLE'));
    await assert.rejects(joinGroup(conn, { group: 'age:18+', commitment: await commitment(), claims: lucasClaims, key: lucas }), code('ERR_NOT_ELIGIBLE'));
    await assert.rejects(joinGroup(conn, { group: 'country:FR', commitment: await commitment(), claims: lucasClaims, key: zoe }), code('ERR_CLAIMS_NOT_YOURS'));
    await assert.rejects(joinGroup(conn, { group: 'country:IE', commitment: await commitment(), claims: zoeClaims, key: edKey() }), code('ERR_NOT_ENROLLED'));
    const forgedClaims = structuredClone(lucasClaims) as { claims: { age_over_18: boolean } };
    forgedClaims.claims.age_over_18 = true;
    await assert.rejects(joinGroup(conn, { group: 'age:18+', commitment: await commitment(), claims: forgedClaims, key: lucas }), code('ERR_CLAIMS_SIGNATURE_INVALID'));
    await assert.rejects(joinGroup(conn, { group: 'member:acme.test' as never, commitment: await commitment(), claims: zoeClaims, key: zoe }), code('ERR_REQUEST_MALFORMED'));
    const pub = publicKeyOf('ed25519', zoe.secretKey);
    const c2 = await commitment();
    const ts = Date.now();
    const body = { group: 'country:IE', commitment: c2, claims: zoeClaims, replace: false, ts, key: pub };
    await assert.rejects(conn.request('group.join', { ...body, signature: signAsUser('ed25519', lucas.secretKey, signedMessages.groupJoin('country:IE', c2, false, ts)) }), code('ERR_SIGNATURE_INVALID'));
    await assert.rejects(conn.request('group.join', { ...body, signature: signAsUser('ed25519', zoe.secretKey, signedMessages.groupJoin('country:IE', c2, true, ts)) }), code('ERR_SIGNATURE_INVALID'), 'signed as a replacement');
    await assert.rejects(conn.request('group.join', { ...body, commitment: c1, signature: signAsUser('ed25519', zoe.secretKey, signedMessages.groupJoin('country:IE', c2, false, ts)) }), code('ERR_SIGNATURE_INVALID'), 'another commitment');
    const old = ts - 10 * 60_000;
    await assert.rejects(conn.request('group.join', { ...body, ts: old, signature: signAsUser('ed25519', zoe.secretKey, signedMessages.groupJoin('country:IE', c2, false, old)) }), code('ERR_REQUEST_STALE'));
    assert.equal(board.received.length, before, 'nothing reached the board');

    // The board refuses (Lucas offers Zoë's commitment): the registrar's counters do not move.
    await assert.rejects(joinGroup(conn, { group: 'human', commitment: c1, claims: lucasClaims, key: lucas }), code('ERR_GROUP_UPDATE_LEAF'));
    assert.deepEqual(await joinGroup(conn, { group: 'human', commitment: await commitment(), claims: lucasClaims, key: lucas }), { group: 'human', leafIndex: 1, size: 2 });
    assert.deepEqual(await joinGroup(conn, { group: 'country:IE', commitment: c2, claims: zoeClaims, key: zoe }), { group: 'country:IE', leafIndex: 0, size: 1 });

    // Lost device: the replacement removes leaf 0 and inserts the new commitment; seq 1..5 without gaps.
    const c3 = await commitment();
    assert.deepEqual(await joinGroup(conn, { group: 'human', commitment: c3, claims: zoeClaims, key: zoePhone, replace: true }), { group: 'human', leafIndex: 2, size: 2 });
    assert.deepEqual(board.received.map((u) => [u.seq, u.group, u.action, u.index]), [
      [1, 'human', 'insert', 0], [2, 'human', 'insert', 1], [3, 'country:IE', 'insert', 0], [4, 'human', 'remove', 0], [5, 'human', 'insert', 2],
    ]);
    assert.equal(board.received[3]!.commitment, c1, 'the removal names the old leaf');
    assert.equal(board.trees.get('human')!.indexOf(c1), -1);
    await assert.rejects(joinGroup(conn, { group: 'human', commitment: c3, claims: zoeClaims, key: zoe, replace: true }), code('ERR_ALREADY_REGISTERED'), 'replacing by the same commitment');
  } finally {
    await s.close();
    await board.close();
  }
});
