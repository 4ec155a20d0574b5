/**
 * The registrar: puts one identity commitment per person and group into the board's group trees.
 *
 * Trust: runs inside the attested identity service, which alone knows that a UID is one person.
 * What it keeps: HMAC-SHA256(member key, "veil-identity/group-member/v1" ‖ 0 ‖ UID ‖ 0 ‖ group) →
 * leaf index, and its sequence number — never the UID, and never a commitment (the board's log
 * maps indices to commitments; without the sealed member key nobody can tell whose index it is).
 * Its two secrets (the Ed25519 registrar key the board pins, the member key) are made at first
 * start and kept sealed to the measurement (`@veil/attest/seal`, purpose `veil-identity/registrar`),
 * so another build cannot use them.
 * Updates (`encodeGroupUpdate`) are signed and sent to the board one at a time, numbered 1, 2, 3…
 * A replacement (lost device) removes the old leaf (set to 0) and then inserts the new one.
 * Crash safety: each signed update is written to the store before it is sent (write-ahead,
 * `beginGroupUpdate`) and recorded with the board's answer; at start and before every
 * registration a pending update is sent again byte for byte. The board acknowledges an update it
 * already logged (HTTP 200, same sequence number, fields and signature), so a crash between the
 * board applying an update and the store recording it costs nothing: the resend records it. A
 * board refusal (4xx) means it was not applied: the pending update is dropped. No answer (network,
 * 5xx) keeps it pending, and registrations wait for it (ERR_BOARD_UNREACHABLE until it goes through).
 * Not checked here: who may join which group (the caller decides from verified claims).
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { seal, unseal } from '@veil/attest/seal';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { VeilError, isVeilError, encodeGroupUpdate, signPayload, type GroupUpdate } from '@veil/crypto';
import { fromBase64, toBase64, toHex } from '@veil/crypto/bytes';
import type { IdentityStore, PendingGroupUpdate } from '../storage/types.ts';
import { registrarReportData } from '../registrar-attestation.ts';

const SEAL_PURPOSE = 'veil-identity/registrar';
const FILE = 'registrar.sealed.json';
const ZERO = '0'.repeat(64);

export interface RegistrarOptions {
  producer: EvidenceProducer;
  /** Where the sealed registrar secrets live (the identity service's data dir). */
  dataDir: string;
  store: IdentityStore;
  /** The board the updates go to (POST /api/groups/updates). */
  boardUrl: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface Registration {
  group: string;
  leafIndex: number;
  /** Members of the group now (the anonymity set). */
  size: number;
}

export interface Registrar {
  /** The Ed25519 public key the board must be configured with (`groups.registrarKey`). */
  readonly publicKey: string;
  /** Evidence binding `publicKey` (registrar-attestation.ts), made once at start; published by the signer route. */
  readonly attestation: { evidenceType: 'sgx' | 'simulation'; evidence: string };
  /**
   * Registers `commitment` for `uid` in `group`.
   * @throws VeilError ERR_ALREADY_REGISTERED (this person has a commitment in this group and
   *   `replace` is false), ERR_BOARD_UNREACHABLE, and the board's codes (ERR_GROUP_UPDATE_LEAF:
   *   the commitment is already a member, ERR_REGISTRAR_SEQUENCE, …).
   */
  register(o: { uid: string; group: string; commitment: string; replace: boolean }): Promise<Registration>;
}

async function loadSecrets(producer: EvidenceProducer, dataDir: string): Promise<{ signingKey: Uint8Array; memberKey: Uint8Array }> {
  const path = join(dataDir, FILE);
  let raw: Uint8Array;
  if (existsSync(path)) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as { v?: unknown; sealed?: unknown };
    if (file.v !== 1) throw new VeilError('ERR_UNSEAL', `${path}: not a version-1 registrar file`);
    raw = await unseal(fromBase64(file.sealed, 4096, 'ERR_UNSEAL', 'sealed'), producer, { purpose: SEAL_PURPOSE }).catch((e: unknown) => {
      throw isVeilError(e) ? new VeilError('ERR_UNSEAL', `${path}: ${e.message}`, { cause: e }) : e;
    });
    if (raw.length !== 64) throw new VeilError('ERR_UNSEAL', `${path}: wrong length`);
  } else {
    raw = crypto.getRandomValues(new Uint8Array(64));
    writeFileSync(path, `${JSON.stringify({ v: 1, sealed: toBase64(await seal(raw, producer, { purpose: SEAL_PURPOSE })) })}\n`, { mode: 0o600 });
  }
  return { signingKey: raw.slice(0, 32), memberKey: raw.slice(32) };
}

/**
 * Opens (first start: creates) the registrar.
 *
 * @example
 * import { createRegistrar } from '@veil/identity/enroll/registrar';
 * const registrar = await createRegistrar({ producer, dataDir, store, boardUrl: 'http://127.0.0.1:8080' });
 * await registrar.register({ uid, group: 'human', commitment, replace: false });
 * @throws VeilError ERR_UNSEAL when the sealed secrets belong to another build or were tampered with,
 *   and the producer's codes (the evidence binding the key).
 */
export async function createRegistrar(o: RegistrarOptions): Promise<Registrar> {
  const { signingKey, memberKey } = await loadSecrets(o.producer, o.dataDir);
  const f = o.fetch ?? fetch;
  const now = o.now ?? Date.now;
  const board = o.boardUrl.replace(/\/+$/, '');
  let queue: Promise<unknown> = Promise.resolve();

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: T }> {
    let res: Response;
    let json: T;
    try {
      res = await f(`${board}${path}`, {
        method, signal: AbortSignal.timeout(30_000),
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      json = (await res.json().catch(() => null)) as T;
    } catch (cause) {
      throw new VeilError('ERR_BOARD_UNREACHABLE', `cannot reach the board at ${board}`, { cause });
    }
    if (res.status >= 500) throw new VeilError('ERR_BOARD_UNREACHABLE', `the board answered HTTP ${res.status}`);
    if (res.status >= 400 && res.status !== 404) {
      const e = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      throw new BoardRefused(typeof e?.code === 'string' ? e.code : 'ERR_BOARD_REFUSED', `the board refused the update: ${typeof e?.message === 'string' ? e.message : `HTTP ${res.status}`}`);
    }
    return { status: res.status, json };
  }

  /** The value of leaf `index` now (0 when removed), from the board's signed log. */
  async function leafValue(group: string, index: number): Promise<string> {
    let value: string | undefined;
    for (let since: number | null = 0; since !== null;) {
      const page: { entries: Array<{ update: GroupUpdate }>; next: number | null } | null = (await call<{ entries: Array<{ update: GroupUpdate }>; next: number | null } | null>('GET', `/api/groups/${encodeURIComponent(group)}/leaves?since=${since}&limit=1000`)).json;
      for (const { update } of page?.entries ?? []) {
        if (update.index === index) value = update.action === 'insert' ? update.commitment : ZERO;
      }
      since = page?.next ?? null;
    }
    return value ?? fail('ERR_REGISTRAR_STATE', `the board has no leaf ${index} in ${group}`);
  }

  /** Sends a written-ahead update and records the board's answer (see the file header). */
  async function deliver(p: PendingGroupUpdate): Promise<{ leafIndex: number; size: number }> {
    let json: { leafIndex: number; size: number };
    try {
      ({ json } = await call<{ leafIndex: number; size: number }>('POST', '/api/groups/updates', { update: p.update, signature: p.signature }));
    } catch (e) {
      if (e instanceof BoardRefused) await o.store.abandonGroupUpdate(p.seq);
      throw e;
    }
    if (json?.leafIndex !== p.leafIndex) fail('ERR_REGISTRAR_STATE', `the board placed update ${p.seq} at another index`);
    if (!(await o.store.recordGroupLeaf(p.member, p.expected, p.leafIndex, p.seq))) fail('ERR_REGISTRAR_STATE', 'the registration changed meanwhile');
    return json;
  }

  /** Sends the update left pending by a crash or an unreachable board, if any. */
  async function resync(): Promise<void> {
    const p = await o.store.pendingGroupUpdate();
    if (p) await deliver(p);
  }

  async function submit(member: string, expected: number | undefined, u: Omit<GroupUpdate, 'v' | 'createdAt'>): Promise<{ leafIndex: number; size: number }> {
    const update: GroupUpdate = { v: 1, createdAt: now(), ...u };
    const p: PendingGroupUpdate = { seq: u.seq, member, expected, leafIndex: u.index, update, signature: signPayload(encodeGroupUpdate(update), signingKey) };
    if (!(await o.store.beginGroupUpdate(p))) fail('ERR_REGISTRAR_STATE', 'another update is in flight or the sequence moved');
    return deliver(p);
  }

  async function register(r: { uid: string; group: string; commitment: string; replace: boolean }): Promise<Registration> {
    await resync();
    const member = createHmac('sha256', memberKey).update(`veil-identity/group-member/v1\0${r.uid}\0${r.group}`).digest('hex');
    const previous = await o.store.groupLeaf(member);
    if (previous !== undefined && !r.replace) {
      fail('ERR_ALREADY_REGISTERED', `this person already has a commitment in ${r.group}; a replacement (lost device) must say so`);
    }
    let seq = await o.store.registrarSeq();
    if (previous !== undefined) {
      const old = await leafValue(r.group, previous);
      if (old === r.commitment) fail('ERR_ALREADY_REGISTERED', 'this commitment is already the registered one');
      if (old !== ZERO) {
        await submit(member, previous, { seq: ++seq, group: r.group, action: 'remove', index: previous, commitment: old });
      }
    }
    const state = (await call<{ leaves?: number }>('GET', `/api/groups/${encodeURIComponent(r.group)}`)).json;
    const index = typeof state?.leaves === 'number' ? state.leaves : 0;
    const done = await submit(member, previous, { seq: ++seq, group: r.group, action: 'insert', index, commitment: r.commitment });
    return { group: r.group, leafIndex: done.leafIndex, size: done.size };
  }

  // At start: an update a crash left pending goes out first (an unreachable board: retried with
  // the next registration).
  queue = resync().catch(() => {});
  const publicKey = ed25519.getPublicKey(signingKey);
  const evidence = await o.producer.evidence(registrarReportData(publicKey));
  return {
    publicKey: toHex(publicKey),
    attestation: { evidenceType: o.producer.type, evidence: toBase64(evidence) },
    register(r) {
      // One registration at a time: sequence numbers and leaf indices are handed out in order.
      const run = queue.then(() => register(r));
      queue = run.catch(() => {});
      return run;
    },
  };
}

/** The board answered 4xx to an update: it did not apply it. */
class BoardRefused extends VeilError {}

function fail(code: string, message: string): never {
  throw new VeilError(code, message);
}
