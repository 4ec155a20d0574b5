/**
 * A person group's tree rebuilt in this browser from the board's signed leaf log
 * (`GET /api/groups/:id/leaves`): every update must carry the registrar's Ed25519 signature, sit at
 * the next log position, and lead to the root the board lists beside it. So the size and root a
 * group page shows are the ones this browser computed, not the ones the board claims; a board that
 * edits, drops or reorders a leaf is caught here. The registrar key is not the board's word: the
 * page takes it from the identity service's evidence (identity-service.ts `attestedRegistrar`).
 * Runs where bb.js's Poseidon2 is loaded (the group worker).
 */
import { VeilError, applyGroupUpdate, createGroupTree, encodeGroupUpdate, verifySignature, type GroupTree } from '@veil/crypto';
import type { GroupLeavesResponse } from '@veil/server/schemas';

/** A verified tree; each of its roots with when it became current (as the board says: ms) and the members then. */
export interface BrowserTree {
  tree: GroupTree;
  roots: Map<string, { at: number; members: number }>;
  /** Log entries applied (the next `since`). */
  applied: number;
}

async function page(group: string, since: number, f: typeof fetch): Promise<GroupLeavesResponse | null> {
  const res = await f(`/api/groups/${encodeURIComponent(group)}/leaves?since=${since}`, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => null)) as (GroupLeavesResponse & { error?: { code: string; message: string } }) | null;
  if (res.status === 404 && body?.error?.code === 'ERR_GROUP_UNKNOWN') return null;
  if (!res.ok || !body) throw new VeilError(body?.error?.code ?? 'ERR_HTTP', body?.error?.message ?? `leaf log of ${group}: HTTP ${res.status}`);
  return body;
}

/**
 * Brings `known` (or an empty tree) up to date with the board's log of `group`, checking every
 * entry. A group nobody joined yet has an empty tree (root null).
 * @throws VeilError ERR_GROUP_LOG_INVALID (gap, foreign update, wrong root), ERR_SIGNATURE_INVALID
 *   (not signed by `registrar`), ERR_GROUP_UPDATE_* (an update no honest registrar makes).
 */
export async function syncGroupTree(group: string, registrar: string, known?: BrowserTree, f: typeof fetch = fetch): Promise<BrowserTree> {
  const t: BrowserTree = known ?? { tree: await createGroupTree(), roots: new Map(), applied: 0 };
  for (let since: number | null = t.applied; since !== null;) {
    const p = await page(group, since, f);
    if (!p) return t;
    for (const e of p.entries) {
      if (e.pos !== t.applied) throw new VeilError('ERR_GROUP_LOG_INVALID', `the leaf log skips to position ${e.pos}`);
      if (e.update.group !== group) throw new VeilError('ERR_GROUP_LOG_INVALID', 'the leaf log holds another group\'s update');
      verifySignature(encodeGroupUpdate(e.update), e.signature, registrar);
      if (applyGroupUpdate(t.tree, e.update) !== e.root) throw new VeilError('ERR_GROUP_LOG_INVALID', `the board's root at position ${e.pos} is not the one its leaves give`);
      t.roots.set(e.root, { at: e.receivedAt, members: t.tree.members });
      t.applied++;
    }
    since = p.next;
  }
  return t;
}

/** Roots the log held when the board received an action at `receivedAt`: a proof must use one of them. */
export function rootsBefore(t: BrowserTree, receivedAt: number): string[] {
  return [...t.roots].filter(([, r]) => r.at <= receivedAt).map(([root]) => root);
}
