/**
 * Pieces shared by the person-group pages: what a group is in words, the badge of an action made
 * with a group proof (checked in this browser, with the anonymity set it hides among), and the
 * tree facts as this browser rebuilt them.
 */
import { h } from './dom.ts';
import type { ItemVerdict, TreeSummary } from './workers/group-protocol.ts';
import { groupPath } from './router.ts';

/** One line on who is in `group`. */
export function groupDescription(group: string): string {
  if (group === 'human') return 'Everyone enrolled at the identity service, once each: one person, one voice.';
  if (group === 'age:18+') return 'Enrolled people whose notarised date of birth makes them 18 or older, once each.';
  let m = /^country:([A-Z]{2})$/.exec(group);
  if (m) return `Enrolled people whose notarised nationality is ${m[1]}, once each.`;
  m = /^member:(.+)$/.exec(group);
  if (m) return `People of ${m[1]}, once each (one leaf per person, however many accounts they hold there).`;
  return 'A person group: one leaf per person.';
}

/** "human" / "country DE" / "member of acme.test": a group's name in a sentence. */
export function groupName(group: string): string {
  const i = group.indexOf(':');
  if (i < 0) return group;
  const kind = group.slice(0, i);
  const value = group.slice(i + 1);
  return kind === 'member' ? `members of ${value}` : kind === 'country' ? `country ${value}` : `${kind} ${value}`;
}

export const groupLink = (group: string) => h('a', { href: groupPath(group) }, group);

const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;

/**
 * The badge of an action carried by a group proof. Green: the proof verified in this browser for
 * exactly this action (scope and message) on a root the signed log held when the board received
 * it; it hides its author among the group's members at that root (`state.size`, the anonymity set).
 */
export function groupBadge(state: 'checking' | ItemVerdict, group: string): HTMLElement {
  if (state === 'checking') return h('span', { class: 'badge checking', 'data-badge': 'checking', tabindex: 0, 'aria-label': 'Verification: checking in this browser…' }, '… checking');
  if (state.ok) {
    return h('span', {
      class: 'badge ok', 'data-badge': 'verified', 'data-group-size': state.size, tabindex: 0,
      title: `Group proof checked by this browser: made by a member of ${group} for exactly this, on a root of the group's signed leaf log (when it had ${people(state.size)}). It does not say which member.`,
      'aria-label': `Verified in this browser: by a member of ${group}, one of ${people(state.size)}`,
    }, `✓ member of ${group}, verified in this browser · one of ${people(state.size)}`);
  }
  return h('span', { class: 'badge bad', 'data-badge': 'failed', 'data-code': state.code, tabindex: 0, 'aria-label': `Verification failed: ${state.reason}` }, `✗ failed: ${state.reason} (${state.code})`);
}

/** The group's facts as this browser rebuilt them, beside what the board claims. */
export function treeFacts(group: string, t: TreeSummary, claimed: { size: number; root: string } | null): HTMLElement {
  const agrees = claimed === null ? t.root === null : claimed.root === t.root && claimed.size === t.members;
  return h('div', { class: 'group-tree', id: 'group-tree', 'data-size': t.members, 'data-verified': String(agrees) },
    h('dl', { class: 'facts' },
      h('dt', {}, 'Size (the anonymity set)'),
      h('dd', { id: 'group-size' }, h('strong', {}, people(t.members)),
        t.leaves > t.members ? ` (${t.leaves} leaves, ${t.leaves - t.members} removed)` : ''),
      h('dt', {}, 'Root'),
      h('dd', {}, t.root ? h('code', { id: 'group-root' }, t.root) : 'none yet (nobody has joined)')),
    h('p', { class: agrees ? 'hint' : 'warn', id: 'group-tree-check' },
      agrees
        ? t.root === null
          ? `Checked in this browser: the board's log of ${group} is empty.`
          : `✓ Checked in this browser: the ${t.leaves === 1 ? 'one registrar-signed leaf' : `${t.leaves} registrar-signed leaves`} of the board's log give${t.leaves === 1 ? 's' : ''} this root and this size. An action of this group says only “one of ${people(t.members)}”.`
        : `✗ The board lists size ${claimed?.size ?? 0} and root ${claimed?.root.slice(0, 12) ?? '—'}…, but its signed leaves give ${t.members} and ${t.root?.slice(0, 12) ?? '—'}…: do not trust this board's group.`));
}
