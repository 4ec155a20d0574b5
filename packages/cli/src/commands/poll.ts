// `veil poll create|vote|show`: anonymous polls in person groups. Proofs are made here, from the
// identity secret (--secret FILE, `{ "secret": hex }`) and the group tree rebuilt from the board's
// signed leaf log, whose registrar key must be the one the identity service's evidence binds
// (--expect-measurement HEX / --allow-simulation as `veil group join`; --trust-server-registrar
// takes the board's word, loudly); `show` re-verifies every vote itself and counts them itself.
import type { Command } from 'commander';
import { VeilError, encodePoll, encodeVote, generateMessageId, messageToField, voteScope, type Poll, type Vote } from '@veil/crypto';
import type { PollResponse } from '@veil/server/schemas';
import { action, UsageError } from '../lib/run.ts';
import { api, resolveServer } from '../lib/board-client.ts';
import { REGISTRAR_TRUST_OPTIONS, fetchGroupTree, proveForBoard, readSecretFile, trustedRegistrar, type RegistrarTrustFlags } from '../lib/group-client.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

// The registrar-trust flags (lib/group-client.ts), on every command that rebuilds a group tree.
const [MEASUREMENT, SIMULATION, SERVER_REGISTRAR] = REGISTRAR_TRUST_OPTIONS;

export function register(program: Command): void {
  const poll = program.command('poll').description('anonymous polls in person groups: one vote per person');

  poll
    .command('create')
    .description('create a poll as a member of --group (with a group proof); prints the poll id')
    .option('--server <url>', 'board server (default: $VEIL_SERVER, else the last `veil login`, else http://127.0.0.1:8080)')
    .requiredOption('--group <id>', 'person group, e.g. human')
    .requiredOption('--secret <file>', 'identity secret JSON {"secret": hex}')
    .requiredOption('--question <text>', 'the question')
    .requiredOption('--option <text>', 'an option (repeat: 2-16)', collect, [])
    .option('--closes <iso-time>', 'when voting ends (ISO 8601)')
    .option('--allow-change', 'let voters change their vote (the latest counts)')
    .option(...MEASUREMENT).option(...SIMULATION).option(...SERVER_REGISTRAR)
    .action(
      action(async (o: { server?: string; group: string; secret: string; question: string; option: string[]; closes?: string; allowChange?: boolean } & RegistrarTrustFlags) => {
        const server = resolveServer(o.server);
        const { secret } = readSecretFile(o.secret);
        if (o.option.length < 2 || o.option.length > 16) throw new UsageError('--option: give 2-16 options');
        let closesAt: number | null = null;
        if (o.closes !== undefined) {
          closesAt = Date.parse(o.closes);
          if (!/^\d{4}-\d{2}-\d{2}T/.test(o.closes) || Number.isNaN(closesAt)) throw new UsageError(`--closes ${o.closes}: not an ISO 8601 time`);
        }
        const p: Poll = { v: 1, id: generateMessageId(), group: o.group, question: o.question, options: o.option, closesAt, allowChange: o.allowChange === true, createdAt: Date.now() };
        let message: string;
        try {
          message = messageToField(encodePoll(p));
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const proof = await proveForBoard(server, o.group, secret, p.id, message, o);
        await api(server, 'POST', '/api/polls', { body: { poll: p, proof } });
        process.stdout.write(`${p.id}\n`);
      }),
    );

  poll
    .command('vote')
    .description('vote once (exit 0 accepted, 1 refused: already voted, not a member, closed)')
    .option('--server <url>', 'board server (default: $VEIL_SERVER, else the last `veil login`, else http://127.0.0.1:8080)')
    .requiredOption('--poll <id>', 'poll id')
    .requiredOption('--option <n>', 'option number, 0-based (as `veil poll show` lists them)')
    .requiredOption('--secret <file>', 'identity secret JSON {"secret": hex}')
    .option(...MEASUREMENT).option(...SIMULATION).option(...SERVER_REGISTRAR)
    .action(
      action(async (o: { server?: string; poll: string; option: string; secret: string } & RegistrarTrustFlags) => {
        const server = resolveServer(o.server);
        if (!/^[0-9a-f]{32}$/.test(o.poll)) throw new UsageError(`--poll ${o.poll}: not a poll id (32 hex characters)`);
        if (!/^\d{1,2}$/.test(o.option)) throw new UsageError(`--option ${o.option}: not an option number`);
        const { secret } = readSecretFile(o.secret);
        const { poll: p } = await api<PollResponse>(server, 'GET', `/api/polls/${o.poll}`);
        const option = Number(o.option);
        if (option >= p.options.length) throw new VeilError('ERR_OPTION_INVALID', `option must be 0-${p.options.length - 1}`);
        if (p.closesAt !== null && Date.now() >= p.closesAt) throw new VeilError('ERR_POLL_CLOSED', 'this poll is closed');
        const vote: Vote = { v: 1, pollId: p.id, option, createdAt: Date.now() };
        const proof = await proveForBoard(server, p.group, secret, voteScope(p.id), messageToField(encodeVote(vote)), o);
        const r = await api(server, 'POST', `/api/polls/${p.id}/votes`, { body: { vote, proof } });
        process.stdout.write(`${JSON.stringify(r)}\n`);
      }),
    );

  poll
    .command('show')
    .description('the poll and its tally as JSON, every vote re-verified here (exit 1 if any does not verify)')
    .option('--server <url>', 'board server (default: $VEIL_SERVER, else the last `veil login`, else http://127.0.0.1:8080)')
    .requiredOption('--poll <id>', 'poll id')
    .option('--allow-test-crs', 'accept proofs made with the INSECURE test CRS (default only with VEIL_CRS=test)')
    .option(...MEASUREMENT).option(...SIMULATION).option(...SERVER_REGISTRAR)
    .action(
      action(async (o: { server?: string; poll: string; allowTestCrs?: boolean } & RegistrarTrustFlags) => {
        const server = resolveServer(o.server);
        if (!/^[0-9a-f]{32}$/.test(o.poll)) throw new UsageError(`--poll ${o.poll}: not a poll id (32 hex characters)`);
        const r = await api<PollResponse>(server, 'GET', `/api/polls/${o.poll}`);
        if (r.poll.id !== o.poll) throw new VeilError('ERR_POLL_MISMATCH', 'the server returned another poll');
        const { roots } = await fetchGroupTree(server, r.poll.group, await trustedRegistrar(server, o));
        const { createBackend } = await import('@veil/prover');
        const backend = await createBackend();
        const allowTestCrs = o.allowTestCrs ? { allowTestCrs: true } : {};
        // A root counts when the group's log had it before the board received the proof.
        const rootsBefore = (t: number) => [...roots].filter(([, at]) => at <= t).map(([root]) => root);
        try {
          await backend.verifyGroup(r.proof, { scope: r.poll.id, message: messageToField(encodePoll(r.poll)), roots: rootsBefore(r.receivedAt), ...allowTestCrs });
          const tally = r.poll.options.map(() => 0);
          const nullifiers = new Set<string>();
          for (const { vote, proof, receivedAt } of r.votes) {
            if (vote.pollId !== r.poll.id || vote.option >= r.poll.options.length) throw new VeilError('ERR_TALLY_INVALID', 'a listed vote is not for an option of this poll');
            const v = await backend.verifyGroup(proof, { scope: voteScope(r.poll.id), message: messageToField(encodeVote(vote)), roots: rootsBefore(receivedAt), ...allowTestCrs });
            if (nullifiers.has(v.nullifier)) throw new VeilError('ERR_TALLY_INVALID', 'two listed votes are by one person (same nullifier)');
            nullifiers.add(v.nullifier);
            tally[vote.option]!++;
          }
          if (tally.some((n, i) => n !== r.tally[i]) || nullifiers.size !== r.voters) throw new VeilError('ERR_TALLY_INVALID', 'the board\'s tally differs from its verified votes');
          const out = { id: r.poll.id, group: r.poll.group, question: r.poll.question, options: r.poll.options.map((text, i) => ({ text, votes: tally[i]! })), voters: nullifiers.size };
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } finally {
          await backend.destroy();
        }
      }),
    );
}
