/**
 * Group worker: everything of the one-person groups that needs bb.js, off the main thread — the
 * commitment of the identity secret, the group tree rebuilt from the signed leaf log
 * (`group-tree.ts`), group proofs (`@veil/prover` proveGroup) and their verification. The identity
 * secret reaches this worker only in memory, per request; it is never stored or sent from here.
 */
import { createBackend, type Backend } from '@veil/prover';
import { deriveCommitment, isVeilError } from '@veil/crypto';
import pinned from 'virtual:veil-pinned-artifacts';
import { fetchArtifacts, fetchTestCrs } from './artifacts.ts';
import { rootsBefore, syncGroupTree, type BrowserTree } from '../group-tree.ts';
import type { GroupReply, GroupRequest, GroupWorkerContext, ItemVerdict, TreeSummary } from './group-protocol.ts';

let backend: { key: string; b: Promise<Backend> } | null = null;
const trees = new Map<string, Promise<BrowserTree>>();
const verdicts = new Map<string, Promise<ItemVerdict>>();

function getBackend(ctx: GroupWorkerContext, threads?: number): Promise<Backend> {
  const key = JSON.stringify([ctx.artifacts, ctx.crs]);
  if (backend?.key !== key) {
    const test = ctx.crs === 'test';
    const b = createBackend({
      crs: test ? 'test' : 'aztec',
      artifacts: fetchArtifacts(ctx.artifacts, pinned),
      ...(test ? { testCrs: fetchTestCrs(ctx.artifacts) } : {}),
      ...(threads ? { threads } : {}),
    });
    b.catch(() => (backend = null));
    backend = { key, b };
  }
  return backend.b;
}

/** The group's tree, brought up to date with the log (a failed check drops the cached copy). */
function tree(ctx: GroupWorkerContext, group: string): Promise<BrowserTree> {
  const key = JSON.stringify([ctx.registrar, group]);
  const p = (async () => syncGroupTree(group, ctx.registrar, await trees.get(key)?.catch(() => undefined)))();
  trees.set(key, p);
  p.catch(() => trees.delete(key));
  return p;
}

async function run(req: GroupRequest): Promise<unknown> {
  const { ctx } = req;
  switch (req.op) {
    case 'commitment':
      return deriveCommitment(req.secret);
    case 'tree': {
      const t = await tree(ctx, req.group);
      const summary: TreeSummary = { root: t.tree.root, members: t.tree.members, leaves: t.tree.size, index: req.commitment ? t.tree.indexOf(req.commitment) : -1 };
      return summary;
    }
    case 'prove': {
      const t = await tree(ctx, req.group);
      const index = t.tree.indexOf(await deriveCommitment(req.secret));
      if (index < 0) throw Object.assign(new Error(`this browser's identity secret is not a member of ${req.group} on this board`), { code: 'ERR_NOT_GROUP_MEMBER' });
      const b = await getBackend(ctx, req.threads);
      return b.proveGroup({ secret: req.secret, merkleProof: t.tree.proof(index), scope: req.scope, message: req.message });
    }
    case 'verify': {
      const t = await tree(ctx, req.group);
      const b = await getBackend(ctx);
      return Promise.all(req.items.map((item) => {
        const roots = rootsBefore(t, item.receivedAt);
        const key = JSON.stringify([req.group, item, roots.length]);
        let v = verdicts.get(key);
        if (!v) {
          v = b.verifyGroup(item.proof, { scope: item.scope, message: item.message, roots, allowTestCrs: ctx.crs === 'test' }).then(
            (ok): ItemVerdict => ({ ok: true, nullifier: ok.nullifier, size: t.roots.get(ok.root)!.members }),
            (e: unknown): ItemVerdict => {
              if (isVeilError(e)) return { ok: false, code: e.code, reason: e.message };
              throw e;
            },
          );
          verdicts.set(key, v);
          v.catch(() => verdicts.delete(key));
        }
        return v;
      }));
    }
  }
}

self.onmessage = async (e: MessageEvent<GroupRequest>) => {
  const req = e.data;
  const t0 = performance.now();
  let reply: GroupReply;
  try {
    reply = { seq: req.seq, ok: true, result: await run(req), ms: performance.now() - t0 };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { seq: req.seq, ok: false, code: typeof code === 'string' ? code : 'ERR_GROUP_WORKER', message: err instanceof Error ? err.message : String(err) };
  }
  (self as unknown as Worker).postMessage(reply);
};
