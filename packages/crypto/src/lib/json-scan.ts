/**
 * Reference of the membership circuit's JSON scanner (`circuits/lib/jwt/src/json.nr`): one pass over
 * a JSON text (RFC 8259) tracking (in string, escaped, depth, expect key); tag[i] = 2·qid + key where
 * qid numbers the string whose unescaped quote is at byte i and key marks the opening quote of a key
 * of the top-level object. `topLevelMembers` uses it to locate claims for the circuit's positions.
 * Trusts the text to be well-formed JSON (it was parsed with JSON.parse first); does not unescape keys
 * (a key written with escapes is not found, as in the circuit).
 */

/** tag[i] = 2·qid[i] + key[i] for every byte (see the file header). */
export function scanJson(bytes: Uint8Array): number[] {
  const tag: number[] = new Array(bytes.length).fill(0);
  let inStr = false;
  let esc = false;
  let depth = 0;
  let expect = false;
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inStr) {
      if (esc) esc = false;
      else if (b === 0x5c) esc = true;
      else if (b === 0x22) {
        inStr = false;
        tag[i] = 2 * count;
      }
      expect = false;
      continue;
    }
    if (b === 0x22) {
      count++;
      tag[i] = 2 * count + (expect && depth === 1 ? 1 : 0);
      inStr = true;
      expect = false;
      continue;
    }
    if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) depth--;
    if (b === 0x7b || b === 0x2c) expect = true;
    else if (!(b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)) expect = false;
  }
  return tag;
}

/** Deepest nesting of objects and arrays outside strings (the circuit's scan fails beyond 6). */
export function jsonDepth(bytes: Uint8Array): number {
  let inStr = false;
  let esc = false;
  let depth = 0;
  let max = 0;
  for (const b of bytes) {
    if (inStr) {
      if (esc) esc = false;
      else if (b === 0x5c) esc = true;
      else if (b === 0x22) inStr = false;
    } else if (b === 0x22) inStr = true;
    else if (b === 0x7b || b === 0x5b) max = Math.max(max, ++depth);
    else if (b === 0x7d || b === 0x5d) depth--;
  }
  return max;
}

/**
 * The first top-level key that occurs twice, compared after unescaping (`"email"` and `"em\u0061il"`
 * are the same key to JSON.parse, which keeps the last), or undefined.
 */
export function duplicateTopLevelKey(bytes: Uint8Array): string | undefined {
  const tag = scanJson(bytes);
  const seen = new Set<string>();
  const dec = new TextDecoder();
  for (let k = 0; k < bytes.length; k++) {
    if ((tag[k]! & 1) !== 1) continue;
    let e = k + 1;
    while (e < bytes.length && tag[e] !== tag[k]! - 1) e++;
    const name = JSON.parse(dec.decode(bytes.subarray(k, e + 1))) as string;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/** Where a top-level member sits: `key` = its opening quote, `value` = the value's first byte. */
export interface MemberPosition {
  key: number;
  value: number;
}

/** Positions of the top-level members of a JSON object text, by key (as written, unescaped keys). */
export function topLevelMembers(bytes: Uint8Array): Map<string, MemberPosition> {
  const tag = scanJson(bytes);
  const out = new Map<string, MemberPosition>();
  const dec = new TextDecoder();
  for (let k = 0; k < bytes.length; k++) {
    if ((tag[k]! & 1) !== 1) continue;
    let e = k + 1;
    while (e < bytes.length && tag[e] !== tag[k]! - 1) e++;
    const name = dec.decode(bytes.subarray(k + 1, e));
    let v = e + 1;
    while (v < bytes.length && (bytes[v] === 0x20 || bytes[v] === 0x09 || bytes[v] === 0x0a || bytes[v] === 0x0d || bytes[v] === 0x3a)) v++;
    out.set(name, { key: k, value: v });
  }
  return out;
}
