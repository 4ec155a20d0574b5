/**
 * How long a proof takes here: the last proof this browser made, else a typical 2-core laptop. The
 * explainer quotes it and the proving page counts down from it — adaptively: once the estimate is
 * used up the page says it is taking longer, instead of sitting at "0 s left".
 */
const LAST_PROVE_MS = 'veil.proveMs';
/** A typical 2-core laptop with threads on (BENCHMARKS.md: ~7.5 s on a quiet machine; slower when busy). */
export const DEFAULT_PROVE_MS = 20_000;

export function proveEstimate(): { ms: number; measured: boolean } {
  const last = Number(localStorage.getItem(LAST_PROVE_MS));
  return last > 0 ? { ms: last, measured: true } : { ms: DEFAULT_PROVE_MS, measured: false };
}

export function recordProveMs(ms: number): void {
  localStorage.setItem(LAST_PROVE_MS, String(Math.round(ms)));
}

/** The progress line: elapsed, and what is left while the estimate holds, then an honest "longer". */
export function etaText(elapsedMs: number, estimateMs: number, measured: boolean): string {
  const elapsed = Math.round(elapsedMs / 1000);
  const left = (estimateMs - elapsedMs) / 1000;
  if (left >= 1.5) return `${elapsed} s elapsed · about ${Math.round(left)} s left (estimate from ${measured ? 'your last proof' : 'a typical laptop'})`;
  if (elapsedMs < estimateMs * 1.5) return `${elapsed} s elapsed · almost done…`;
  return `${elapsed} s elapsed · taking longer than ${measured ? 'your last proof' : 'usual'} (a busy device is slower); still working…`;
}
