// Acceptance of a group proof for one action: the group exists, the root is one of its roots that
// is still accepted, and the proof verifies for the action's own scope and message. Root window:
// the current root, or a superseded one for `rootWindowMinutes` after it was superseded — but no
// root from before the group's last removal (a removed member must not act on an old root).
import { VeilError } from '@veil/crypto';
import type { GroupProof } from '@veil/prover/group-bundle';
import type { RouteContext } from './context.ts';

export async function acceptGroupProof(ctx: RouteContext, group: string, proof: GroupProof, scope: string, message: string): Promise<{ nullifier: string }> {
  const state = await ctx.storage.getGroup(group);
  if (!state) throw new VeilError('ERR_GROUP_UNKNOWN', `no group ${group} on this board`);
  if (proof.crs.kind !== ctx.config.crs) throw new VeilError('ERR_CRS_NOT_ACCEPTED', `proofs must use the ${ctx.config.crs} CRS, not ${proof.crs.kind}`);
  const at = await ctx.storage.findGroupRoot(group, proof.root);
  if (!at) throw new VeilError('ERR_ROOT_UNKNOWN', `the proof's root was never a root of ${group}: not a member`);
  if (at.lastRemovalPos !== null && at.pos < at.lastRemovalPos) {
    throw new VeilError('ERR_ROOT_EXPIRED', `the proof's root predates a removal from ${group}: prove again against the current root`);
  }
  const windowMs = (ctx.config.groups?.rootWindowMinutes ?? 10) * 60_000;
  if (at.supersededAt !== null && at.supersededAt <= ctx.now() - windowMs) {
    throw new VeilError('ERR_ROOT_EXPIRED', `the proof's root of ${group} was superseded more than ${windowMs / 60_000} minutes ago: prove again against the current root`);
  }
  const v = await ctx.verifyGroupProof(proof, { scope, message, roots: [proof.root], allowTestCrs: ctx.config.crs === 'test' });
  return { nullifier: v.nullifier };
}
