/**
 * The page's side of the one-person groups: board calls (groups, leaf logs, polls, posts, likes)
 * and the group worker (commitments, trees rebuilt from the signed log, proofs, verification).
 * Every action is sent with a group proof made here; nothing that names the person (secret,
 * commitment, key) goes to the board.
 */
import {
  encodeGroupLike, encodeGroupPost, encodePoll, encodeVote, generateMessageId, likeScope, messageToField, voteScope,
  type GroupLike, type GroupPost, type Poll, type Vote,
} from '@veil/crypto';
import type { GroupProof } from '@veil/prover/group-bundle';
import type { GroupPollsResponse, GroupPostItem, GroupsResponse, PollResponse } from '@veil/server/schemas';
import { ApiError } from './api.ts';
import { attestedRegistrar } from './identity-service.ts';
import { appConfig } from './state.ts';
import type { GroupReply, GroupRequest, GroupWorkerContext, ItemVerdict, TreeSummary, VerifyItem } from './workers/group-protocol.ts';

type PostsResponse = { posts: GroupPostItem[]; nextCursor: string | null };

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'ERR_NETWORK', 'the server could not be reached');
  }
  const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? 'ERR_HTTP', json?.error?.message ?? `HTTP ${res.status}`);
  return json as T;
}

const seg = (group: string) => encodeURIComponent(group);
export const getGroups = () => call<GroupsResponse>('GET', '/api/groups');
export const getGroupPolls = (group: string) => call<GroupPollsResponse>('GET', `/api/groups/${seg(group)}/polls`);
export const getGroupPosts = (group: string) => call<PostsResponse>('GET', `/api/groups/${seg(group)}/posts?limit=20`);
export const getPoll = (id: string) => call<PollResponse>('GET', `/api/polls/${id}`);

// ---- the worker ----
let worker: Worker | null = null;
let seq = 0;
const waiting = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();

function getWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./workers/group.worker.ts', import.meta.url), { type: 'module', name: 'veil-group' });
  worker.onmessage = (e: MessageEvent<GroupReply>) => {
    const w = waiting.get(e.data.seq);
    waiting.delete(e.data.seq);
    if (!w) return;
    if (e.data.ok) w.resolve(e.data.result);
    else w.reject(new ApiError(0, e.data.code, e.data.message));
  };
  worker.onerror = (e) => {
    for (const w of waiting.values()) w.reject(new ApiError(0, 'ERR_GROUP_WORKER', e.message || 'the group worker stopped'));
    waiting.clear();
    worker = null;
  };
  return worker;
}

let context: Promise<GroupWorkerContext> | null = null;

/** The attested registrar key, artifacts and CRS the worker works with (read once per page view). */
function workerContext(): Promise<GroupWorkerContext> {
  context ??= (async () => {
    const [config, groups] = await Promise.all([appConfig(), getGroups()]);
    let registrar: string;
    try {
      registrar = await attestedRegistrar(config, groups.registrar);
    } catch (e) {
      throw new ApiError(0, String((e as { code?: unknown }).code ?? 'ERR_REGISTRAR_UNATTESTED'), (e as Error).message);
    }
    return { registrar, artifacts: config.artifacts, crs: config.crs.kind };
  })();
  context.catch(() => (context = null));
  return context;
}

type Op = GroupRequest extends infer R ? (R extends { op: infer O } ? Omit<Extract<GroupRequest, { op: O }>, 'seq' | 'ctx'> : never) : never;

async function ask<T>(req: Op): Promise<T> {
  const ctx = await workerContext();
  const w = getWorker();
  return new Promise<T>((resolve, reject) => {
    const s = ++seq;
    waiting.set(s, { resolve: resolve as (v: unknown) => void, reject });
    w.postMessage({ ...req, seq: s, ctx } as GroupRequest);
  });
}

export const commitmentOf = (secret: string) => ask<string>({ op: 'commitment', secret });
/** The tree as rebuilt here from the signed log, and where `commitment` is in it. */
export const verifiedTree = (group: string, commitment?: string) => ask<TreeSummary>({ op: 'tree', group, ...(commitment ? { commitment } : {}) });
export const verifyItems = (group: string, items: VerifyItem[]) => ask<ItemVerdict[]>({ op: 'verify', group, items });

/** A group proof for (scope, message), made in this browser; `ms` is how long it took. */
async function prove(group: string, secret: string, scope: string, message: string): Promise<{ proof: GroupProof; ms: number }> {
  const t0 = performance.now();
  const proof = await ask<GroupProof>({ op: 'prove', group, secret, scope, message, threads: navigator.hardwareConcurrency || 2 });
  return { proof, ms: performance.now() - t0 };
}

// ---- actions ----
export async function createPoll(secret: string, p: Omit<Poll, 'v' | 'id' | 'createdAt'>): Promise<{ id: string; ms: number }> {
  const poll: Poll = { v: 1, id: generateMessageId(), createdAt: Date.now(), ...p };
  const { proof, ms } = await prove(poll.group, secret, poll.id, messageToField(encodePoll(poll)));
  await call('POST', '/api/polls', { poll, proof });
  return { id: poll.id, ms };
}

export async function castVote(secret: string, poll: Poll, option: number): Promise<{ status: 'created' | 'changed'; ms: number }> {
  const vote: Vote = { v: 1, pollId: poll.id, option, createdAt: Date.now() };
  const { proof, ms } = await prove(poll.group, secret, voteScope(poll.id), messageToField(encodeVote(vote)));
  const r = await call<{ status: 'created' | 'changed' }>('POST', `/api/polls/${poll.id}/votes`, { vote, proof });
  return { status: r.status, ms };
}

export async function publishGroupPost(secret: string, group: string, text: string): Promise<GroupPostItem> {
  const post: GroupPost = { v: 1, id: generateMessageId(), group, text, createdAt: Date.now() };
  const { proof } = await prove(group, secret, post.id, messageToField(encodeGroupPost(post)));
  return call<GroupPostItem>('POST', `/api/groups/${seg(group)}/posts`, { post, proof });
}

export async function likeGroupPost(secret: string, group: string, messageId: string): Promise<{ likes: number }> {
  const like: GroupLike = { v: 1, messageId, createdAt: Date.now() };
  const { proof } = await prove(group, secret, likeScope(messageId), messageToField(encodeGroupLike(like)));
  return call<{ likes: number }>('POST', '/api/group-likes', { like, proof });
}

// ---- what each badge checks ----
export const pollItem = (r: { poll: Poll; proof: GroupProof; receivedAt: number }): VerifyItem =>
  ({ proof: r.proof, scope: r.poll.id, message: messageToField(encodePoll(r.poll)), receivedAt: r.receivedAt });
export const voteItem = (v: { vote: Vote; proof: GroupProof; receivedAt: number }): VerifyItem =>
  ({ proof: v.proof, scope: voteScope(v.vote.pollId), message: messageToField(encodeVote(v.vote)), receivedAt: v.receivedAt });
export const postItem = (p: GroupPostItem): VerifyItem =>
  ({ proof: p.proof, scope: p.post.id, message: messageToField(encodeGroupPost(p.post)), receivedAt: p.receivedAt });
