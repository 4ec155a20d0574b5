/** Flag parsing shared by `veil uid keygen|serve` and `veil uid dkg …`. */
import { readFile } from 'node:fs/promises';
import { UsageError } from './run.ts';

/** A file named by `flag`; unreadable (or larger than `maxBytes`) is a usage error. */
export async function readText(path: string, flag: string, maxBytes = Infinity): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text.length > maxBytes) throw new UsageError(`${flag}: ${path} is larger than ${maxBytes} bytes`);
  return text;
}

/** `--node NAME=URL` (repeatable, in index order) and `--threshold t` in 1..n. */
export function parseNodesAndThreshold(node: string[] | undefined, threshold: string): { nodes: Array<{ name: string; url: string }>; threshold: number } {
  const nodes = (node ?? []).map((n) => {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})=(https?:\/\/\S+)$/.exec(n);
    if (!m) throw new UsageError(`--node: expected NAME=URL, got "${n}"`);
    return { name: m[1]!, url: m[2]! };
  });
  if (nodes.length === 0) throw new UsageError('--node is required (at least one)');
  const t = Number(threshold);
  if (!Number.isInteger(t) || t < 1 || t > nodes.length) throw new UsageError(`--threshold: expected an integer in 1..${nodes.length}`);
  return { nodes, threshold: t };
}
