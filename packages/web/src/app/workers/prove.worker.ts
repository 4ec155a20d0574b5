/**
 * Proving worker: turns the ID token into a membership proof bundle off the main thread. bb.js
 * starts its own thread workers (SharedArrayBuffer: needs the page to be cross-origin isolated).
 * The token is held only in this worker's memory for the duration of one proof; nothing is stored.
 */
import { createBackend } from '@veil/prover';
import { isVeilError, VeilError } from '@veil/crypto';
import pinned from 'virtual:veil-pinned-artifacts';
import { fetchArtifacts, fetchTestCrs } from './artifacts.ts';
import { fromHex } from '../hex.ts';
import type { ProveEvent, ProveRequest } from './prove-protocol.ts';

const post = (ev: ProveEvent) => (self as unknown as Worker).postMessage(ev);

self.onmessage = async (e: MessageEvent<ProveRequest>) => {
  const req = e.data;
  const started = performance.now();
  let backend: Awaited<ReturnType<typeof createBackend>> | null = null;
  try {
    post({ type: 'stage', stage: 'loading', at: 0 });
    const crs = req.crs === 'test' ? 'test' : 'aztec';
    backend = await createBackend({
      crs,
      artifacts: fetchArtifacts(req.artifacts, pinned),
      ...(crs === 'test' ? { testCrs: fetchTestCrs(req.artifacts) } : {}),
      threads: req.threads,
    });
    // Only the current circuit of a variant proves; retired ones (acceptedUntil) only verify.
    const circuit = pinned.circuits.find((c) => c.variant === req.variant && c.acceptedUntil === undefined);
    if (!circuit) throw new VeilError('ERR_VARIANT_UNSUPPORTED', `this app has no circuit for the ${req.variant} statement`);
    await backend.circuitSize(circuit.name);
    post({ type: 'stage', stage: 'proving', at: performance.now() - started });
    const bundle = await backend.prove({ token: req.token, jwk: req.jwk as JsonWebKey, epk: fromHex(req.epk), salt: fromHex(req.salt), expiry: req.expiry, variant: req.variant, ...(req.emailDomain !== undefined ? { emailDomain: req.emailDomain } : {}), crs });
    req.token = '';
    post({ type: 'done', bundle: bundle as never, ms: performance.now() - started });
  } catch (err) {
    console.error('veil: proving failed', err);
    post({ type: 'error', code: isVeilError(err) ? err.code : 'ERR_PROVE_FAILED', message: err instanceof Error ? err.message : String(err) });
  } finally {
    await backend?.destroy().catch(() => {});
  }
};
