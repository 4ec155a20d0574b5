// A small, strict subset of JSONPath (RFC 9535) for the provider registry: a root `$` followed by
// member names (`.name` or `['name']`) and array indices (`[0]`). No wildcards, filters, slices or
// recursion, so one path names at most one value. Only own properties are followed.

const STEP = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d{1,6})\]|\['([^'\\\u0000-\u001f]{1,128})'\]/y;

export type JsonPathStep = string | number;

/** Splits a path into steps, or returns undefined when it is not in the supported subset. */
export function parseJsonPath(path: string): JsonPathStep[] | undefined {
  if (!path.startsWith('$') || path.length > 512) return undefined;
  const steps: JsonPathStep[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < path.length) {
    const at = STEP.lastIndex;
    const m = STEP.exec(path);
    if (!m || m.index !== at) return undefined;
    steps.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3])!);
  }
  return steps.length > 0 ? steps : undefined;
}

/** The value the path names in `doc`, or undefined when any step is missing. */
export function selectJsonPath(doc: unknown, steps: readonly JsonPathStep[]): unknown {
  let cur: unknown = doc;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return undefined;
      cur = cur[step];
    } else {
      if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, step)) return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}
