// Polls in person groups. POST /api/polls — created by a member (group proof, scope = the poll id).
// POST /api/polls/:id/votes — scope poll:<id>: one vote per person (a second: 409 ERR_NULLIFIER_USED;
// a change only where the poll allows it, newest wins). GET /api/polls/:id — the poll, its tally
// and every counted vote with its proof, so anyone can re-check the tally. No vote row holds a
// commitment, a key or anything but the nullifier of its scope.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { VeilError, encodePoll, encodeVote, messageToField, voteScope } from '@veil/crypto';
import { CreatePollBody, ErrorResponse, GroupParams, GroupPollsResponse, MessageIdSchema, PollResponse, VoteBody, VoteResponse } from '../schemas.ts';
import type { RouteContext } from '../lib/context.ts';
import { acceptGroupProof } from '../lib/group-proof.ts';
import { assertFresh } from '../lib/member-auth.ts';

const PollParams = Type.Object({ id: MessageIdSchema }, { additionalProperties: false });
const POLLS_PER_GROUP = 50;

export function pollRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Body: CreatePollBody }>(
    '/api/polls',
    { schema: { body: CreatePollBody, response: { 201: PollResponse, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req, reply) => {
      // Counted before the (costly) proof verification.
      await ctx.limiter.hit({ key: `poll:ip:${req.ip}`, limit: ctx.config.rateLimit.pollsPerIp });
      const { poll, proof } = req.body;
      assertFresh(ctx, poll.createdAt, 'createdAt');
      if (poll.closesAt !== null && poll.closesAt <= ctx.now()) throw new VeilError('ERR_VALIDATION', 'closesAt must be in the future');
      if (new Set(poll.options).size !== poll.options.length) throw new VeilError('ERR_VALIDATION', 'options must be distinct');
      let payload: Uint8Array;
      try {
        payload = encodePoll(poll);
      } catch (e) {
        throw new VeilError('ERR_MESSAGE_MALFORMED', (e as Error).message);
      }
      await acceptGroupProof(ctx, poll.group, proof, poll.id, messageToField(payload));
      const receivedAt = ctx.now();
      await ctx.storage.insertPoll({ ...poll, proof, receivedAt });
      reply.code(201);
      return { poll, proof, receivedAt, tally: poll.options.map(() => 0), voters: 0, votes: [] };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/groups/:id/polls',
    { schema: { params: GroupParams, response: { 200: GroupPollsResponse, '4xx': ErrorResponse } } },
    async (req) => ({
      polls: (await ctx.storage.listPolls(req.params.id, POLLS_PER_GROUP)).map((p) => ({
        poll: { v: 1 as const, id: p.id, group: p.group, question: p.question, options: p.options, closesAt: p.closesAt, allowChange: p.allowChange, createdAt: p.createdAt },
        proof: p.proof, receivedAt: p.receivedAt, voters: p.voters,
      })),
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/polls/:id',
    { schema: { params: PollParams, response: { 200: PollResponse, '4xx': ErrorResponse } } },
    async (req) => {
      const p = await ctx.storage.getPoll(req.params.id);
      if (!p) throw new VeilError('ERR_NOT_FOUND', 'no such poll');
      const votes = await ctx.storage.listVotes(p.id);
      const tally = p.options.map(() => 0);
      for (const v of votes) tally[v.option]!++;
      return {
        poll: { v: 1 as const, id: p.id, group: p.group, question: p.question, options: p.options, closesAt: p.closesAt, allowChange: p.allowChange, createdAt: p.createdAt },
        proof: p.proof, receivedAt: p.receivedAt, tally, voters: votes.length,
        votes: votes.map((v) => ({ vote: { v: 1 as const, pollId: v.pollId, option: v.option, createdAt: v.createdAt }, proof: v.proof, receivedAt: v.receivedAt })),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: VoteBody }>(
    '/api/polls/:id/votes',
    { schema: { params: PollParams, body: VoteBody, response: { 201: VoteResponse, 200: VoteResponse, '4xx': ErrorResponse, '5xx': ErrorResponse } } },
    async (req, reply) => {
      await ctx.limiter.hit({ key: `vote:ip:${req.ip}`, limit: ctx.config.rateLimit.votesPerIp });
      const { vote, proof } = req.body;
      if (vote.pollId !== req.params.id) throw new VeilError('ERR_VALIDATION', 'vote.pollId must be the poll in the path');
      const p = await ctx.storage.getPoll(vote.pollId);
      if (!p) throw new VeilError('ERR_NOT_FOUND', 'no such poll');
      if (vote.option >= p.options.length) throw new VeilError('ERR_OPTION_INVALID', `option must be 0-${p.options.length - 1}`);
      if (p.closesAt !== null && ctx.now() >= p.closesAt) throw new VeilError('ERR_POLL_CLOSED', 'this poll is closed');
      assertFresh(ctx, vote.createdAt, 'createdAt');
      // A replay is refused before the (costly) verification; the votes' primary key decides races.
      if (!p.allowChange && (await ctx.storage.nullifierUsed('poll', p.id, proof.nullifier))) {
        throw new VeilError('ERR_NULLIFIER_USED', 'this person already voted in this poll, and it does not allow changing a vote');
      }
      const { nullifier } = await acceptGroupProof(ctx, p.group, proof, voteScope(p.id), messageToField(encodeVote(vote)));
      const status = await ctx.storage.castVote({ pollId: p.id, nullifier, option: vote.option, createdAt: vote.createdAt, proof, receivedAt: ctx.now() }, p.allowChange);
      reply.code(status === 'created' ? 201 : 200);
      return { pollId: p.id, option: vote.option, status };
    },
  );
}
