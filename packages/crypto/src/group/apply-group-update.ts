/**
 * Applies one registrar update to a group tree, with the checks every replica makes (server,
 * CLI, anyone recomputing roots from the leaf log): an insertion lands exactly at the next index
 * with a non-zero commitment not already active; a removal names an active leaf by index and
 * value. Returns the new root. Nothing is changed when a check fails.
 */
import { VeilError } from '../errors.ts';
import type { GroupTree } from './create-group-tree.ts';
import type { GroupUpdate } from './encode-group-update.ts';

const ZERO = '0'.repeat(64);

/**
 * @example
 * import { applyGroupUpdate, createGroupTree } from '@veil/crypto';
 * const tree = await createGroupTree();
 * const root = applyGroupUpdate(tree, update);
 * @throws VeilError ERR_GROUP_UPDATE_INDEX (insertion not at the end, removal out of range),
 *   ERR_GROUP_UPDATE_LEAF (zero or duplicate commitment, removal of another or a removed leaf).
 */
export function applyGroupUpdate(tree: GroupTree, u: Pick<GroupUpdate, 'action' | 'index' | 'commitment'>): string {
  if (u.action === 'insert') {
    if (u.index !== tree.size) throw new VeilError('ERR_GROUP_UPDATE_INDEX', `insertion at ${u.index}, but the next leaf is ${tree.size}`);
    if (u.commitment === ZERO) throw new VeilError('ERR_GROUP_UPDATE_LEAF', 'a commitment cannot be 0 (0 marks a removed leaf)');
    if (tree.indexOf(u.commitment) !== -1) throw new VeilError('ERR_GROUP_UPDATE_LEAF', 'this commitment is already a member');
    tree.insert(u.commitment);
  } else if (u.action === 'remove') {
    if (!Number.isSafeInteger(u.index) || u.index < 0 || u.index >= tree.size) throw new VeilError('ERR_GROUP_UPDATE_INDEX', `no leaf ${u.index}`);
    if (u.commitment === ZERO || tree.leaf(u.index) !== u.commitment) {
      throw new VeilError('ERR_GROUP_UPDATE_LEAF', `leaf ${u.index} is not that commitment (or was removed already)`);
    }
    tree.remove(u.index);
  } else {
    throw new TypeError('action must be "insert" or "remove"');
  }
  return tree.root!;
}
