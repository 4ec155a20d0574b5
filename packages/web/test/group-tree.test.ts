// The group tree the browser rebuilds from the board's signed leaf log (src/app/group-tree.ts):
// an honest log, paged and then extended, gives the registrar's roots; a board that forges or
// alters a signature, lists a wrong root, skips a position, slips in another group's update or
// replays a member is caught; a group nobody joined is an empty tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyGroupUpdate, bytesToHex, createGroupTree, deriveCommitment, encodeGroupUpdate, generateEphemeralKey, generateIdentitySecret, signPayload,
  type GroupUpdate,
} from '@veil/crypto';
import type { GroupLogEntryWire } from '@veil/server/schemas';
import { rootsBefore, syncGroupTree } from '../src/app/group-tree.ts';

const GROUP = 'human';

function key() {
  const k = generateEphemeralKey();
  return { secretKey: bytesToHex(k.secretKey), publicKey: bytesToHex(k.publicKey) };
}
const registrar = key();

async function honestLog(n: number): Promise<GroupLogEntryWire[]> {
  const tree = await createGroupTree();
  const out: GroupLogEntryWire[] = [];
  for (let i = 0; i < n; i++) {
    const update: GroupUpdate = { v: 1, seq: i + 1, group: GROUP, action: 'insert', index: i, commitment: await deriveCommitment(generateIdentitySecret()), createdAt: 1000 + i };
    out.push({ pos: i, update, signature: signPayload(encodeGroupUpdate(update), registrar.secretKey), root: applyGroupUpdate(tree, update), receivedAt: 2000 + i });
  }
  return out;
}

/** A board serving `log` two entries a page (`null`: the group does not exist). */
function board(log: GroupLogEntryWire[] | null, status = 200): typeof fetch {
  return (async (url: string) => {
    if (status !== 200) return new Response(JSON.stringify({ error: { code: 'ERR_STORAGE_UNAVAILABLE', message: 'down' } }), { status });
    if (log === null) return new Response(JSON.stringify({ error: { code: 'ERR_GROUP_UNKNOWN', message: 'no group' } }), { status: 404 });
    const since = Number(new URL(url, 'http://board').searchParams.get('since'));
    const entries = log.filter((e) => e.pos >= since).slice(0, 2);
    const last = entries[entries.length - 1];
    const next = last && log.indexOf(last) < log.length - 1 ? last.pos + 1 : null;
    return new Response(JSON.stringify({ group: GROUP, leaves: log.length, size: log.length, root: log[log.length - 1]?.root, entries, next }), { status: 200 });
  }) as typeof fetch;
}

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

test('an honest log, read in pages, gives the registrar\'s roots; a later sync extends it', async () => {
  const log = await honestLog(5);
  const t = await syncGroupTree(GROUP, registrar.publicKey, undefined, board(log.slice(0, 3)));
  assert.equal(t.tree.root, log[2]!.root);
  assert.equal(t.tree.members, 3);
  assert.equal(t.tree.indexOf(log[1]!.update.commitment), 1);
  const t2 = await syncGroupTree(GROUP, registrar.publicKey, t, board(log));
  assert.equal(t2.tree.root, log[4]!.root);
  assert.equal(t2.applied, 5);
  assert.deepEqual(rootsBefore(t2, 2001), [log[0]!.root, log[1]!.root]);
});

test('a group nobody joined is an empty tree; a board error is not', async () => {
  const t = await syncGroupTree(GROUP, registrar.publicKey, undefined, board(null));
  assert.equal(t.tree.root, null);
  assert.equal(t.tree.members, 0);
  await assert.rejects(syncGroupTree(GROUP, registrar.publicKey, undefined, board([], 503)), code('ERR_STORAGE_UNAVAILABLE'));
});

test('a dishonest board is caught: forged or altered signatures, wrong roots, gaps, foreign updates, replayed members', async () => {
  const log = await honestLog(3);
  const forger = key();
  const sync = (l: GroupLogEntryWire[]) => syncGroupTree(GROUP, registrar.publicKey, undefined, board(l));
  const with1 = (e: Partial<GroupLogEntryWire>) => [log[0]!, { ...log[1]!, ...e }, log[2]!];

  await assert.rejects(sync(with1({ signature: signPayload(encodeGroupUpdate(log[1]!.update), forger.secretKey) })), code('ERR_SIGNATURE_INVALID'));
  const other = await deriveCommitment(generateIdentitySecret());
  await assert.rejects(sync(with1({ update: { ...log[1]!.update, commitment: other } })), code('ERR_SIGNATURE_INVALID'));
  await assert.rejects(sync(with1({ root: log[2]!.root })), code('ERR_GROUP_LOG_INVALID'));
  await assert.rejects(sync([log[0]!, log[2]!]), code('ERR_GROUP_LOG_INVALID'));
  const foreign: GroupUpdate = { ...log[1]!.update, group: 'country:DE' };
  await assert.rejects(sync(with1({ update: foreign, signature: signPayload(encodeGroupUpdate(foreign), registrar.secretKey) })), code('ERR_GROUP_LOG_INVALID'));
  // Even signed by the registrar, a member inserted twice is refused (no honest registrar does it).
  const again: GroupUpdate = { ...log[1]!.update, commitment: log[0]!.update.commitment };
  await assert.rejects(sync(with1({ update: again, signature: signPayload(encodeGroupUpdate(again), registrar.secretKey) })), code('ERR_GROUP_UPDATE_LEAF'));
});
