/**
 * Main-thread side of post verification: fetches each post's detail (bundle + issuer key), the key
 * registry once, and hands the checks to `verify.worker.ts` so the page stays responsive.
 * Verdicts are cached per (message, signature) for the page's lifetime.
 */
import type { IssuerKey, MessageDetail, PostWire } from '@veil/server/schemas';
import { getKeys, getMessage } from './api.ts';
import type { Identity } from './keystore.ts';
import { appConfig } from './state.ts';
import type { Verdict } from './verify-post.ts';
import type { VerifyReply, VerifyRequest } from './workers/verify-protocol.ts';

let worker: Worker | null = null;
let seq = 0;
const waiting = new Map<number, (v: Verdict) => void>();
const verdicts = new Map<string, Promise<Verdict>>();
let registry: Promise<IssuerKey[]> | null = null;

function getWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./workers/verify.worker.ts', import.meta.url), { type: 'module', name: 'veil-verify' });
  worker.onmessage = (e: MessageEvent<VerifyReply>) => {
    waiting.get(e.data.seq)?.(e.data.verdict);
    waiting.delete(e.data.seq);
  };
  worker.onerror = (e) => {
    for (const resolve of waiting.values()) resolve({ ok: false, code: 'ERR_VERIFIER_CRASHED', reason: e.message || 'the verifier stopped' });
    waiting.clear();
    worker = null;
  };
  return worker;
}

async function registryKeys(): Promise<IssuerKey[]> {
  registry ??= getKeys().then((r) => r.keys);
  return registry;
}

async function verifyDetail(detail: MessageDetail): Promise<Verdict> {
  const [config, keys] = await Promise.all([appConfig(), registryKeys()]);
  const req: VerifyRequest = { seq: ++seq, detail, registry: keys, issuers: config.issuers, artifacts: config.artifacts, crs: config.crs.kind };
  return new Promise((resolve) => {
    waiting.set(req.seq, resolve);
    getWorker().postMessage(req);
  });
}

/**
 * Verifies post `shown` exactly as displayed: its message and signature, with the membership
 * bundle and issuer key from the post's detail (fetched, signed by `identity` for members-only
 * posts, unless given). A server that returns different text in the feed and in the detail cannot
 * get a badge for the text the reader sees.
 */
export function verifyMessage(shown: { message: PostWire; signature: string }, identity: Identity | null, detail?: MessageDetail): Promise<Verdict> {
  const key = JSON.stringify([shown.message, shown.signature]);
  let v = verdicts.get(key);
  if (!v) {
    v = (async () => {
      let d: MessageDetail;
      try {
        d = detail ?? (await getMessage(shown.message.id, identity));
      } catch (e) {
        return { ok: false as const, code: (e as { code?: string }).code ?? 'ERR_FETCH', reason: `could not fetch what is needed to verify: ${(e as Error).message}` };
      }
      return verifyDetail({ ...d, message: shown.message, signature: shown.signature });
    })();
    verdicts.set(key, v);
  }
  return v;
}
