/**
 * Verification worker: checks posts (see verify-post.ts) with a warm bb.js backend, so repeated
 * verifications reuse the verification key. Membership proofs are verified once per bundle.
 */
import { createBackend, type Backend } from '@veil/prover';
import { verifyPost, type MembershipVerifier } from '../verify-post.ts';
import { fetchArtifacts, fetchTestCrs } from './artifacts.ts';
import type { VerifyReply, VerifyRequest } from './verify-protocol.ts';

let backend: Promise<Backend> | null = null;
const proofs = new Map<string, Promise<unknown>>();

function getBackend(artifacts: string, allowTest: boolean): Promise<Backend> {
  backend ??= (async () =>
    createBackend({
      crs: allowTest ? 'test' : 'aztec',
      artifacts: await fetchArtifacts(artifacts),
      ...(allowTest ? { testCrs: fetchTestCrs(artifacts) } : {}),
    }))();
  backend.catch(() => (backend = null));
  return backend;
}

self.onmessage = async (e: MessageEvent<VerifyRequest>) => {
  const req = e.data;
  const allowTestCrs = req.crs === 'test';
  const verifyMembership: MembershipVerifier = async (bundle, jwks, expect) => {
    const key = JSON.stringify([bundle, jwks, expect, req.detail.message.createdAt]);
    let p = proofs.get(key);
    if (!p) {
      p = getBackend(req.artifacts, allowTestCrs).then((b) =>
        b.verify(bundle, jwks, { ...expect, allowTestCrs, now: Math.floor(req.detail.message.createdAt / 1000) }),
      );
      proofs.set(key, p);
    }
    return p;
  };
  let reply: VerifyReply;
  try {
    reply = { seq: req.seq, verdict: await verifyPost(req.detail, { registry: req.registry, issuers: req.issuers, verifyMembership }) };
  } catch (err) {
    reply = { seq: req.seq, verdict: { ok: false, code: 'ERR_VERIFIER', reason: err instanceof Error ? err.message : String(err) } };
  }
  (self as unknown as Worker).postMessage(reply);
};
