// The groups list (GET /api/orgs): two aggregates per storage engine, merged here.
import type { GroupStatsRow } from './types.ts';

/** Merges the two per-group aggregates (memberships, public posts), largest anonymity set first. */
export function mergeGroupStats(
  members: Array<{ grp: string; active: number | string; total: number | string }>,
  posts: Array<{ grp: string; n: number | string; last: number | string | null }>,
): GroupStatsRow[] {
  const out = new Map<string, GroupStatsRow>();
  for (const m of members) out.set(m.grp, { group: m.grp, activeKeys: Number(m.active), keys: Number(m.total), publicPosts: 0, lastPostAt: null });
  for (const p of posts) {
    const row = out.get(p.grp) ?? { group: p.grp, activeKeys: 0, keys: 0, publicPosts: 0, lastPostAt: null };
    row.publicPosts = Number(p.n);
    row.lastPostAt = p.last === null ? null : Number(p.last);
    out.set(p.grp, row);
  }
  return [...out.values()].sort((a, b) => b.activeKeys - a.activeKeys || a.group.localeCompare(b.group));
}
