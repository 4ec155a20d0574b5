/**
 * RFC 8785 (JSON Canonicalization Scheme) for the value shapes Veil signs: objects, arrays,
 * strings, booleans, null and safe integers.
 *
 * Encoding choices: object keys are sorted by UTF-16 code units (RFC 8785 §3.2.3); strings and
 * numbers use ECMAScript `JSON.stringify`, which is exactly what RFC 8785 §3.2.2 prescribes
 * (well-formed JSON.stringify escapes lone surrogates). Non-integer and unsafe-integer numbers are
 * refused rather than canonicalised: no signed Veil field needs them, and refusing them removes
 * the float-formatting corner cases. `undefined`, functions, symbols and bigints are refused.
 * Strings are NOT Unicode-normalised: the bytes signed are the code points given.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('canonicalJson: only safe integers are supported');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new TypeError('canonicalJson: only plain objects are supported');
    const entries = Object.keys(value)
      .sort()
      .map((k) => {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) throw new TypeError(`canonicalJson: field "${k}" is undefined`);
        return `${JSON.stringify(k)}:${canonicalJson(v)}`;
      });
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`canonicalJson: unsupported type ${typeof value}`);
}
