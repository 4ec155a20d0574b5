// One-person groups on the board, on SQLite and (--pg) PostgreSQL, with real group proofs (test CRS):
// registrar-signed tree updates (forged, out-of-order, inconsistent ones and altered replays refused,
// an exact resend acknowledged without change; every
// root recomputable from the log), polls and votes (one vote per person, also for two proofs of one
// secret sent at once; two people both count; replays on another poll or message and tampered
// proofs refused; the root window; a removed member's proofs refused; closed polls), person-group
// posts and likes (one like per person, concurrently too), and nothing stored linking a vote to a
// commitment. The proofs are made up front (14 of them) while the tree holds A, B and C.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyGroupUpdate, createGroupTree, encodeGroupLike, encodeGroupPost, encodeGroupUpdate, encodePoll, encodeVote, generateMessageId, likeScope,
  messageToField, verifySignature, voteScope, type GroupLike, type GroupPost, type Poll, type Vote,
} from '@veil/crypto';
import { createBackend, type Backend, type GroupProof } from '@veil/prover';
import type { GroupLeavesResponse, GroupPollsResponse, GroupsResponse, PollResponse } from '@veil/server/schemas';
import { makeFixture, type Fixture } from '../app-fixture.ts';
import { newKey } from '../helpers.ts';
import { makePerson, makeRegistrar, proveOnBoard, type Person, type Registrar } from '../group-helpers.ts';

const GROUP = 'human';
const MIN = 60_000;
const flip = (h: string) => `${h.slice(0, 63)}${h.endsWith('0') ? '1' : '0'}`;

describe('group trees, polls and person-group likes', () => {
  let f: Fixture;
  let backend: Backend;
  let reg: Registrar;
  let A: Person, B: Person, C: Person, D: Person;
  const t0 = () => f.clock.t;
  const send = (body: unknown) => f.app.inject({ method: 'POST', url: '/api/groups/updates', payload: body as object });
  const code = (res: { statusCode: number; json(): unknown }, status: number, c?: string) => {
    assert.equal(res.statusCode, status, JSON.stringify(res.json()));
    if (c) assert.equal((res.json() as { error: { code: string } }).error.code, c);
  };

  // Prepared proofs (all against the tree {A, B, C}).
  let p1: Poll, p1Proof: GroupProof, p2: Poll, p2Proof: GroupProof;
  const votes: Record<string, { vote: Vote; proof: GroupProof }> = {};
  let post: GroupPost, postProof: GroupProof;
  const likes: Record<string, { like: GroupLike; proof: GroupProof }> = {};

  const vote = async (name: string, who: Person, poll: Poll, option: number, dt = 0) => {
    const v: Vote = { v: 1, pollId: poll.id, option, createdAt: t0() + dt };
    votes[name] = { vote: v, proof: await proveOnBoard(backend, f.app, GROUP, who, voteScope(poll.id), messageToField(encodeVote(v))) };
  };
  const like = async (name: string, who: Person, dt = 0) => {
    const l: GroupLike = { v: 1, messageId: post.id, createdAt: t0() + dt };
    likes[name] = { like: l, proof: await proveOnBoard(backend, f.app, GROUP, who, likeScope(post.id), messageToField(encodeGroupLike(l))) };
  };
  const castVote = (name: string, over: { vote?: Vote; proof?: GroupProof } = {}) => {
    const body = { ...votes[name]!, ...over };
    return f.app.inject({ method: 'POST', url: `/api/polls/${body.vote.pollId}/votes`, payload: body });
  };

  before(async () => {
    reg = makeRegistrar();
    f = await makeFixture({ groups: { registrarKey: reg.key.publicKey, rootWindowMinutes: 10 }, verifyGroup: (p, e) => backend.verifyGroup(p, e) });
    backend = await createBackend({ crs: 'test', threads: 2 });
    [A, B, C, D] = await Promise.all([makePerson(), makePerson(), makePerson(), makePerson()]);
    for (const [i, who] of [A, B, C].entries()) code(await send(reg.next({ group: GROUP, action: 'insert', index: i, commitment: who.commitment }, t0())), 201);

    p1 = { v: 1, id: generateMessageId(), group: GROUP, question: 'Tea or coffee?', options: ['tea', 'coffee'], closesAt: null, allowChange: false, createdAt: t0() };
    p1Proof = await proveOnBoard(backend, f.app, GROUP, C, p1.id, messageToField(encodePoll(p1)));
    p2 = { v: 1, id: generateMessageId(), group: GROUP, question: 'Lunch?', options: ['soup', 'salad', 'none'], closesAt: t0() + 20 * MIN, allowChange: true, createdAt: t0() };
    p2Proof = await proveOnBoard(backend, f.app, GROUP, A, p2.id, messageToField(encodePoll(p2)));
    await vote('A1', A, p1, 0, 1);
    await vote('A1bis', A, p1, 1, 2);
    await vote('B1', B, p1, 1);
    await vote('C1', C, p1, 0);
    await vote('B2', B, p2, 0, 1);
    await vote('B2change', B, p2, 1, 2);
    await vote('C2', C, p2, 2, 11 * MIN);
    post = { v: 1, id: generateMessageId(), group: GROUP, text: 'one person, one voice', createdAt: t0() };
    postProof = await proveOnBoard(backend, f.app, GROUP, B, post.id, messageToField(encodeGroupPost(post)));
    await like('A', A, 1);
    await like('Abis', A, 2);
    await like('B', B);
  });
  after(async () => {
    await f?.close();
    await backend?.destroy();
  });

  it('the registrar refuses: forged or altered signatures, replayed, skipped or inconsistent updates (nothing stored)', async () => {
    const last = await f.storage.lastGroupSeq();
    const good = reg.next({ group: GROUP, action: 'insert', index: 3, commitment: D.commitment }, t0());
    reg.seq--; // not sent: the refusals below must not consume a sequence number
    const forger = makeRegistrar(newKey());
    forger.seq = last;
    code(await send(forger.next({ group: GROUP, action: 'insert', index: 3, commitment: D.commitment }, t0())), 401, 'ERR_SIGNATURE_INVALID');
    code(await send({ ...good, update: { ...good.update, commitment: flip(D.commitment) } }), 401, 'ERR_SIGNATURE_INVALID');
    code(await send({ ...good, update: { ...good.update, group: 'country:FR' } }), 401, 'ERR_SIGNATURE_INVALID');
    const replay = makeRegistrar(reg.key);
    replay.seq = last - 1;
    // The logged update again, byte for byte (a registrar's resend after a crash): acknowledged, nothing changes.
    const again = await send(replay.next({ group: GROUP, action: 'insert', index: 2, commitment: C.commitment }, t0()));
    code(again, 200);
    assert.deepEqual(again.json(), { group: GROUP, seq: last, leafIndex: 2, leaves: 3, size: 3, root: (await f.storage.getGroup(GROUP))!.root });
    replay.seq = last - 1;
    code(await send(replay.next({ group: GROUP, action: 'insert', index: 2, commitment: C.commitment }, t0() + 1)), 409, 'ERR_REGISTRAR_SEQUENCE');
    replay.seq = last - 1;
    code(await send(replay.next({ group: GROUP, action: 'insert', index: 2, commitment: D.commitment }, t0())), 409, 'ERR_REGISTRAR_SEQUENCE');
    replay.seq = last + 1;
    code(await send(replay.next({ group: GROUP, action: 'insert', index: 3, commitment: D.commitment }, t0())), 409, 'ERR_REGISTRAR_SEQUENCE');
    replay.seq = last;
    code(await send(replay.next({ group: GROUP, action: 'insert', index: 5, commitment: D.commitment }, t0())), 409, 'ERR_GROUP_UPDATE_INDEX');
    replay.seq = last;
    code(await send(replay.next({ group: GROUP, action: 'insert', index: 3, commitment: A.commitment }, t0())), 409, 'ERR_GROUP_UPDATE_LEAF');
    replay.seq = last;
    code(await send(replay.next({ group: GROUP, action: 'remove', index: 1, commitment: A.commitment }, t0())), 409, 'ERR_GROUP_UPDATE_LEAF');
    replay.seq = last;
    code(await send(replay.next({ group: GROUP, action: 'insert', index: 3, commitment: '0'.repeat(64) }, t0())), 409, 'ERR_GROUP_UPDATE_LEAF');
    code(await f.app.inject({ method: 'POST', url: '/api/groups/updates', payload: { ...good, extra: 1 } }), 400, 'ERR_VALIDATION');
    code(await send({ update: { ...good.update, commitment: 'f'.repeat(64) }, signature: good.signature }), 400, 'ERR_VALIDATION'); // >= the field modulus
    assert.equal(await f.storage.lastGroupSeq(), last);
    const groups = (await f.app.inject({ method: 'GET', url: '/api/groups' })).json() as GroupsResponse;
    assert.deepEqual(groups.groups.map((g) => [g.id, g.size, g.leaves]), [[GROUP, 3, 3]]);
    assert.equal(groups.registrar, reg.key.publicKey);
  });

  it('creates a poll with a member proof; refuses it from a non-member root or for another poll text', async () => {
    code(await f.app.inject({ method: 'POST', url: '/api/polls', payload: { poll: { ...p1, question: 'Tea?' }, proof: p1Proof } }), 422, 'ERR_MESSAGE_MISMATCH');
    code(await f.app.inject({ method: 'POST', url: '/api/polls', payload: { poll: p1, proof: { ...p1Proof, root: flip(p1Proof.root) } } }), 403, 'ERR_ROOT_UNKNOWN');
    code(await f.app.inject({ method: 'POST', url: '/api/polls', payload: { poll: { ...p1, group: 'country:FR' }, proof: p1Proof } }), 404, 'ERR_GROUP_UNKNOWN');
    code(await f.app.inject({ method: 'POST', url: '/api/polls', payload: { poll: p1, proof: p1Proof } }), 201);
    code(await f.app.inject({ method: 'POST', url: '/api/polls', payload: { poll: p1, proof: p1Proof } }), 409, 'ERR_POLL_ID_TAKEN');
    code(await f.app.inject({ method: 'POST', url: '/api/polls', payload: { poll: p2, proof: p2Proof } }), 201);
  });

  it('one vote per person: two proofs of one secret sent together count once; another person counts', async () => {
    const [x, y] = await Promise.all([castVote('A1'), castVote('A1bis')]);
    assert.deepEqual([x.statusCode, y.statusCode].sort(), [201, 409]);
    const refused = x.statusCode === 409 ? x : y;
    assert.equal((refused.json() as { error: { code: string } }).error.code, 'ERR_NULLIFIER_USED');
    code(await castVote('A1'), 409, 'ERR_NULLIFIER_USED'); // and in sequence, in either order
    code(await castVote('A1bis'), 409, 'ERR_NULLIFIER_USED');
    code(await castVote('B1'), 201);
    const r = (await f.app.inject({ method: 'GET', url: `/api/polls/${p1.id}` })).json() as PollResponse;
    assert.equal(r.voters, 2);
    assert.equal(r.tally.reduce((a, b) => a + b, 0), 2);
  });

  it('refuses a vote proof replayed on another poll or another message, and tampered proofs', async () => {
    const b1 = votes.B1!;
    const onP2 = { ...b1.vote, pollId: p2.id };
    code(await castVote('B1', { vote: onP2 }), 422, 'ERR_SCOPE_MISMATCH');
    code(await castVote('B1', { vote: onP2, proof: { ...b1.proof, scope: voteScope(p2.id), message: messageToField(encodeVote(onP2)) } }), 422, 'ERR_PROOF_INVALID');
    const c1 = votes.C1!;
    const other = { ...c1.vote, option: 1 };
    code(await castVote('C1', { vote: other }), 422, 'ERR_MESSAGE_MISMATCH');
    code(await castVote('C1', { vote: other, proof: { ...c1.proof, message: messageToField(encodeVote(other)) } }), 422, 'ERR_PROOF_INVALID');
    code(await castVote('C1', { proof: { ...c1.proof, nullifier: flip(c1.proof.nullifier) } }), 422, 'ERR_PROOF_INVALID');
    code(await castVote('C1', { proof: { ...c1.proof, nullifier: votes.B1!.proof.nullifier } }), 409, 'ERR_NULLIFIER_USED'); // refused before verifying
    code(await castVote('C1', { proof: { ...c1.proof, root: flip(c1.proof.root) } }), 403, 'ERR_ROOT_UNKNOWN');
    code(await castVote('C1', { vote: { ...c1.vote, option: 7 } }), 400, 'ERR_OPTION_INVALID');
    code(await castVote('C1'), 201);
    const r = (await f.app.inject({ method: 'GET', url: `/api/polls/${p1.id}` })).json() as PollResponse;
    assert.equal(r.voters, 3);
  });

  it('the tally is re-checkable from the stored proofs; nothing stored names a commitment', async () => {
    const r = (await f.app.inject({ method: 'GET', url: `/api/polls/${p1.id}` })).json() as PollResponse;
    const seen = new Set<string>();
    const tally = r.poll.options.map(() => 0);
    for (const { vote: v, proof } of r.votes) {
      const ok = await backend.verifyGroup(proof, { scope: voteScope(r.poll.id), message: messageToField(encodeVote(v)), allowTestCrs: true });
      assert.ok(!seen.has(ok.nullifier));
      seen.add(ok.nullifier);
      tally[v.option]!++;
    }
    assert.deepEqual(tally, r.tally);
    // The group page's list: newest first, with each poll's voters and its creator's proof.
    const list = (await f.app.inject({ method: 'GET', url: `/api/groups/${GROUP}/polls` })).json() as GroupPollsResponse;
    assert.deepEqual(list.polls.map((x) => [x.poll.id, x.voters]).sort(), [[p1.id, r.voters], [p2.id, 0]].sort());
    assert.deepEqual(list.polls.find((x) => x.poll.id === p1.id)!.proof, r.proof);
    assert.deepEqual((await f.app.inject({ method: 'GET', url: '/api/groups/country:FR/polls' })).json(), { polls: [] });
    code(await f.app.inject({ method: 'GET', url: '/api/groups/Not%20a%20group/polls' }), 400, 'ERR_VALIDATION');
    const stored = JSON.stringify([r, list, await f.storage.listVotes(p1.id), await f.storage.getPoll(p1.id)]);
    for (const who of [A, B, C]) {
      assert.ok(!stored.includes(who.commitment), 'a commitment is stored beside a vote');
      assert.ok(!stored.includes(who.secret));
    }
  });

  it('person-group posts and likes: one like per person (two proofs of one secret at once count once)', async () => {
    const postUrl = `/api/groups/${GROUP}/posts`;
    code(await f.app.inject({ method: 'POST', url: postUrl, payload: { post: { ...post, text: 'edited' }, proof: postProof } }), 422, 'ERR_MESSAGE_MISMATCH');
    code(await f.app.inject({ method: 'POST', url: postUrl, payload: { post, proof: postProof } }), 201);
    code(await f.app.inject({ method: 'POST', url: postUrl, payload: { post, proof: postProof } }), 409, 'ERR_MESSAGE_ID_TAKEN');
    const likeUrl = '/api/group-likes';
    code(await f.app.inject({ method: 'POST', url: likeUrl, payload: { ...likes.B!, like: { ...likes.B!.like, messageId: p1.id } } }), 404, 'ERR_NOT_FOUND');
    const [x, y] = await Promise.all([f.app.inject({ method: 'POST', url: likeUrl, payload: likes.A! }), f.app.inject({ method: 'POST', url: likeUrl, payload: likes.Abis! })]);
    assert.deepEqual([x.statusCode, y.statusCode].sort(), [201, 409]);
    code(await f.app.inject({ method: 'POST', url: likeUrl, payload: likes.A! }), 409, 'ERR_NULLIFIER_USED');
    code(await f.app.inject({ method: 'POST', url: likeUrl, payload: likes.B! }), 201);
    const item = (await f.app.inject({ method: 'GET', url: `/api/group-posts/${post.id}` })).json() as { likes: number; proof: GroupProof };
    assert.equal(item.likes, 2);
    assert.deepEqual(item.proof, postProof);
    const list = (await f.app.inject({ method: 'GET', url: postUrl })).json() as { posts: { post: GroupPost }[] };
    assert.deepEqual(list.posts.map((p) => p.post), [post]);
  });

  it('a poll that allows it takes a newer vote as a change and refuses the older one replayed; the root window', async () => {
    code(await send(reg.next({ group: GROUP, action: 'insert', index: 3, commitment: D.commitment }, t0())), 201);
    f.clock.t += MIN; // proofs against the previous root stay valid within the window
    code(await castVote('B2'), 201);
    code(await castVote('B2change'), 200);
    code(await castVote('B2'), 409, 'ERR_VOTE_REPLAY');
    const r = (await f.app.inject({ method: 'GET', url: `/api/polls/${p2.id}` })).json() as PollResponse;
    assert.deepEqual(r.tally, [0, 1, 0]);
    assert.equal(r.voters, 1);
    f.clock.t += 10 * MIN + 1; // the root C's proof was made against was superseded 11 minutes ago
    code(await castVote('C2'), 403, 'ERR_ROOT_EXPIRED');
  });

  it('a removed member can no longer act, even with a proof against a root that is still in the window', async () => {
    const v: Vote = { v: 1, pollId: p2.id, option: 0, createdAt: f.clock.t };
    const proof = await proveOnBoard(backend, f.app, GROUP, A, voteScope(p2.id), messageToField(encodeVote(v)));
    const tree = await createGroupTree((await f.app.inject({ method: 'GET', url: `/api/groups/${GROUP}/leaves` })).json<GroupLeavesResponse>().entries.map((e) => e.update.commitment));
    assert.equal(proof.root, tree.root);
    code(await send(reg.next({ group: GROUP, action: 'remove', index: 0, commitment: A.commitment }, f.clock.t)), 201);
    code(await f.app.inject({ method: 'POST', url: `/api/polls/${p2.id}/votes`, payload: { vote: v, proof } }), 403, 'ERR_ROOT_EXPIRED');
    await assert.rejects(proveOnBoard(backend, f.app, GROUP, A, voteScope(p2.id), messageToField(encodeVote(v))), /not a member/);
    const groups = (await f.app.inject({ method: 'GET', url: '/api/groups' })).json() as GroupsResponse;
    assert.deepEqual(groups.groups.map((g) => [g.id, g.size, g.leaves]), [[GROUP, 3, 4]]);
    f.clock.t = p2.closesAt! + 1;
    code(await castVote('B2change'), 409, 'ERR_POLL_CLOSED');
  });

  it('anyone can recompute every root from the signed leaf log', async () => {
    const body = (await f.app.inject({ method: 'GET', url: `/api/groups/${GROUP}/leaves` })).json() as GroupLeavesResponse;
    const registrar = ((await f.app.inject({ method: 'GET', url: '/api/groups' })).json() as GroupsResponse).registrar!;
    const tree = await createGroupTree();
    for (const e of body.entries) {
      verifySignature(encodeGroupUpdate(e.update), e.signature, registrar);
      assert.equal(applyGroupUpdate(tree, e.update), e.root, `root after entry ${e.pos}`);
    }
    assert.equal(tree.root, body.root);
    assert.equal(tree.members, body.size);
    const tail = (await f.app.inject({ method: 'GET', url: `/api/groups/${GROUP}/leaves?since=3&limit=1` })).json() as GroupLeavesResponse;
    assert.deepEqual(tail.entries.map((e) => e.pos), [3]);
    assert.equal(tail.next, 4);
    code(await f.app.inject({ method: 'GET', url: '/api/groups/nope/leaves' }), 404, 'ERR_GROUP_UNKNOWN');
    code(await f.app.inject({ method: 'GET', url: '/api/groups/Bad%20Id/leaves' }), 400, 'ERR_VALIDATION');
  });
});
