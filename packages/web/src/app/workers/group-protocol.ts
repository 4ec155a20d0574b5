/** Messages between the page and `group.worker.ts` (one request, one reply, matched by `seq`). */
import type { GroupProof } from '@veil/prover/group-bundle';

/** What the worker needs to reach the prover artifacts and the group logs. */
export interface GroupWorkerContext {
  /** The registrar's Ed25519 key, as the identity service's evidence binds it (and the board names it). */
  registrar: string;
  /** Base URL of the prover artifacts. */
  artifacts: string;
  /** The board's CRS kind ('test' accepts and makes test-CRS proofs: development only). */
  crs: string;
}

/** A group's tree as this browser rebuilt it, and where a commitment sits in it. */
export interface TreeSummary {
  root: string | null;
  members: number;
  leaves: number;
  /** Index of the commitment asked about, or -1. */
  index: number;
}

/** One action to check: its proof must be for exactly this scope and message, on a root the log held at `receivedAt`. */
export interface VerifyItem {
  proof: GroupProof;
  scope: string;
  message: string;
  receivedAt: number;
}

/** `size`: the group's members when the proof's root was current — the anonymity set of that action. */
export type ItemVerdict = { ok: true; nullifier: string; size: number } | { ok: false; code: string; reason: string };

export type GroupRequest = { seq: number; ctx: GroupWorkerContext } & (
  | { op: 'commitment'; secret: string }
  | { op: 'tree'; group: string; commitment?: string }
  | { op: 'prove'; group: string; secret: string; scope: string; message: string; threads: number }
  | { op: 'verify'; group: string; items: VerifyItem[] }
);

export type GroupReply =
  | { seq: number; ok: true; result: unknown; ms: number }
  | { seq: number; ok: false; code: string; message: string };
