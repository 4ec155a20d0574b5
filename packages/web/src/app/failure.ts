/** Failures in words: what went wrong, and a Retry where trying again can help. */
import { ApiError } from './api.ts';
import { h } from './dom.ts';

/** One sentence for any error a page can meet; the code stays visible for bug reports. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)} (${e.code}).`;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** An alert with the message and a Retry button (which removes the block and calls `retry`). */
export function retryBlock(message: string, retry: () => void): HTMLElement {
  const block = h('div', { class: 'failure', role: 'alert' },
    h('p', { class: 'error' }, message),
    h('button', { type: 'button', class: 'retry', onclick: () => { block.remove(); retry(); } }, 'Retry'));
  return block;
}
