/**
 * Verification worker: checks posts (see verify-post.ts) with a warm bb.js backend, so repeated
 * verifications reuse the verification key. Membership proofs are verified once per bundle.
 */
import { createBackend, fetchIssuerJwks, type Backend } from '@veil/prover';
import { verifyKeyObservation } from '@veil/identity/key-history';
import { verifyPost, type IssuerKeysFetcher, type MembershipVerifier, type ObservationVerifier } from '../verify-post.ts';
import pinned from 'virtual:veil-pinned-artifacts';
import observers from 'virtual:veil-pinned-observers';
import { fetchArtifacts, fetchTestCrs } from './artifacts.ts';
import type { VerifyReply, VerifyRequest } from './verify-protocol.ts';

let backend: Promise<Backend> | null = null;
const proofs = new Map<string, Promise<unknown>>();
// Issuer keys are read from the issuer itself, once a minute per issuer at most.
const issuerJwks = new Map<string, { at: number; keys: ReturnType<IssuerKeysFetcher> }>();
const issuerKeys: IssuerKeysFetcher = (iss) => {
  const hit = issuerJwks.get(iss);
  if (hit && Date.now() - hit.at < 60_000) return hit.keys;
  const keys = fetchIssuerJwks(iss);
  issuerJwks.set(iss, { at: Date.now(), keys });
  return keys;
};

function getBackend(artifacts: string, allowTest: boolean): Promise<Backend> {
  backend ??= (async () =>
    createBackend({
      crs: allowTest ? 'test' : 'aztec',
      artifacts: fetchArtifacts(artifacts, pinned),
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
  // Observations count only from the identity-service builds pinned in this bundle.
  const verifyObservation: ObservationVerifier = async (obs, key) => {
    const v = await verifyKeyObservation(obs, {
      measurements: observers.measurements, allowSimulation: observers.allowSimulation,
      verifySgxQuote: async (quote, policy) => (await import('@veil/attest/verify-quote')).verifyQuote(quote, { ...policy, at: new Date(), expectTee: 'sgx' }),
    }, key);
    return { observedAt: v.observation.observed_at, jwksUri: v.observation.jwks_uri, measurement: v.measurement, simulated: v.simulated };
  };
  let reply: VerifyReply;
  try {
    reply = { seq: req.seq, verdict: await verifyPost(req.detail, { registry: req.registry, issuers: req.issuers, verifyMembership, issuerKeys, verifyObservation }) };
  } catch (err) {
    reply = { seq: req.seq, verdict: { ok: false, code: 'ERR_VERIFIER', reason: err instanceof Error ? err.message : String(err) } };
  }
  (self as unknown as Worker).postMessage(reply);
};
