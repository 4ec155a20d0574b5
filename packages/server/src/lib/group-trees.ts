// The board's group trees: one LeanIMT per group, rebuilt from the stored leaf log and kept in
// memory, changed only by the registrar's signed updates. Updates are applied one at a time per
// process (a queue); the storage refuses anything but the next sequence number and group position,
// so several processes on one database cannot fork a tree — a process whose cached tree fell
// behind catches up from the log before applying, and drops its cache when a write is refused.
// An update the board already logged, sent again byte for byte (same sequence number, fields and
// signature), is acknowledged without change (`replayed: true`): a registrar that crashed between
// sending an update and recording the answer resends it and learns it was applied.
import { VeilError, applyGroupUpdate, createGroupTree, encodeGroupUpdate, type GroupTree, type GroupUpdate } from '@veil/crypto';
import type { Storage } from '../storage/types.ts';
import { verifyEd25519 } from './ed25519-node.ts';

/** A group's state after an update. */
export interface Applied { leafIndex: number; leaves: number; size: number; root: string; replayed: boolean }

interface Cached {
  tree: GroupTree;
  /** Log entries applied (= the next pos). */
  applied: number;
}

export class GroupTrees {
  readonly #storage: Storage;
  readonly #registrarKey: string | null;
  readonly #now: () => number;
  readonly #trees = new Map<string, Promise<Cached>>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(o: { storage: Storage; registrarKey: string | null; now: () => number }) {
    this.#storage = o.storage;
    this.#registrarKey = o.registrarKey;
    this.#now = o.now;
  }

  get registrarKey(): string | null {
    return this.#registrarKey;
  }

  async #synced(group: string): Promise<Cached> {
    let p = this.#trees.get(group);
    if (!p) {
      p = createGroupTree().then((tree) => ({ tree, applied: 0 }));
      this.#trees.set(group, p);
    }
    const c = await p;
    for (;;) {
      const entries = await this.#storage.listGroupLog(group, c.applied, 1000);
      for (const e of entries) {
        applyGroupUpdate(c.tree, e);
        c.applied++;
        if (c.tree.root !== e.root) throw new Error(`group ${group}: the stored root at ${e.pos} differs from the recomputed one`);
      }
      if (entries.length < 1000) return c;
    }
  }

  /**
   * Verifies and applies one signed registrar update; returns the group's new state
   * (`replayed`: this exact update was applied before, nothing changed).
   * @throws VeilError ERR_REGISTRAR_NOT_CONFIGURED, ERR_SIGNATURE_INVALID, ERR_REGISTRAR_SEQUENCE,
   *   ERR_GROUP_UPDATE_INDEX, ERR_GROUP_UPDATE_LEAF
   */
  apply(update: GroupUpdate, signature: string): Promise<Applied> {
    if (this.#registrarKey === null) throw new VeilError('ERR_REGISTRAR_NOT_CONFIGURED', 'this board has no registrar key configured (groups.registrarKey)');
    let payload: Uint8Array;
    try {
      payload = encodeGroupUpdate(update);
    } catch (e) {
      throw new VeilError('ERR_VALIDATION', `malformed update: ${(e as Error).message}`); // e.g. a commitment >= the field modulus
    }
    verifyEd25519(payload, signature, this.#registrarKey);
    const run = this.#queue.then(() => this.#apply(update, signature));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #apply(u: GroupUpdate, signature: string): Promise<Applied> {
    const last = await this.#storage.lastGroupSeq();
    if (u.seq <= last) {
      const logged = await this.#storage.getGroupUpdate(u.seq);
      if (logged && logged.signature === signature && logged.group === u.group && logged.action === u.action
        && logged.index === u.index && logged.commitment === u.commitment && logged.createdAt === u.createdAt) {
        const g = (await this.#storage.getGroup(u.group))!;
        return { leafIndex: u.index, leaves: g.size, size: g.members, root: g.root, replayed: true };
      }
    }
    if (u.seq !== last + 1) throw new VeilError('ERR_REGISTRAR_SEQUENCE', `update ${u.seq} is not the next one (${last + 1}): replayed or out of order`);
    const c = await this.#synced(u.group);
    const pos = c.applied;
    const root = applyGroupUpdate(c.tree, u); // checks first, changes the tree only when they pass
    c.applied++;
    try {
      await this.#storage.appendGroupUpdate(
        { seq: u.seq, group: u.group, pos, action: u.action, index: u.index, commitment: u.commitment, root, createdAt: u.createdAt, receivedAt: this.#now(), signature },
        { size: c.tree.size, members: c.tree.members },
      );
    } catch (e) {
      this.#trees.delete(u.group); // the cached tree is ahead of the database: rebuild next time
      throw e;
    }
    return { leafIndex: u.index, leaves: c.tree.size, size: c.tree.members, root, replayed: false };
  }
}
