// Schema pieces shared by the UID package's files (share, group, DKG) and wire format (TypeBox),
// and the one way a JSON document (text or object) is checked against a schema.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { VeilError } from '@veil/crypto';

export const Hex32 = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const Hex64 = Type.String({ pattern: '^[0-9a-f]{128}$' });
/** A UID node's name. */
export const NodeName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
/** A node's index (its x in the sharing), or a threshold: 1..255. */
export const NodeIndex = Type.Integer({ minimum: 1, maximum: 255 });
export const NodeUrl = Type.String({ pattern: '^https?://', maxLength: 2048 });
export const EvidenceType = Type.Union([Type.Literal('sgx'), Type.Literal('simulation')]);

/**
 * `input` (JSON text, or an already parsed value) checked against `schema`.
 * @throws VeilError `code`, "<what>: not JSON" or "<what>: <path>: <first schema error>".
 */
export function parseDocument<T extends TSchema>(schema: T, input: unknown, code: string, what: string): Static<T> {
  let v = input;
  if (typeof input === 'string') {
    try {
      v = JSON.parse(input);
    } catch (cause) {
      throw new VeilError(code, `${what}: not JSON`, { cause });
    }
  }
  if (!Value.Check(schema, v)) {
    const e = Value.Errors(schema, v).First();
    throw new VeilError(code, `${what}: ${e ? `${e.path || '/'}: ${e.message}` : 'invalid'}`);
  }
  return v as Static<T>;
}
