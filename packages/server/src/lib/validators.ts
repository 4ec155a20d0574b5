// Schema validation for every route (fastify's validator compiler), and the strict JSON body parser.
//
// Bodies are validated strictly (no type coercion, no silent stripping of unknown fields: a signed
// object must arrive exactly as signed); query strings and params are coerced. On top of each
// schema, one rule for every string the schemas admit (values and object keys, bodies, queries and
// params alike): U+0000 is refused. PostgreSQL cannot store it in TEXT, SQLite would, so without
// this the two backends disagree; nothing Veil signs or stores needs it.
// Bodies must be well-formed UTF-8 (a replacement character would change what was signed).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { VeilError } from '@veil/crypto';

/** JSON Pointer of the first string (value or key) that contains U+0000, or null. Walks validated, schema-bounded data. */
export function findNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '/' : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [k, v] of Object.entries(value)) {
    const p = `${path}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (k.includes('\u0000')) return p;
    const hit = findNul(v, p);
    if (hit) return hit;
  }
  return null;
}

function refusingNul(validate: ValidateFunction): ValidateFunction {
  const check = ((data: unknown) => {
    if (!validate(data)) {
      check.errors = validate.errors;
      return false;
    }
    const at = findNul(data);
    if (at === null) {
      check.errors = null;
      return true;
    }
    check.errors = [{ instancePath: at === '/' ? '' : at, schemaPath: '#', keyword: 'nul', params: {}, message: 'must not contain U+0000' } as ErrorObject];
    return false;
  }) as ValidateFunction;
  return check;
}

/** The validator compiler: strict Ajv for bodies, coercing Ajv elsewhere; U+0000 refused everywhere. */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = new Ajv({ allErrors: false, removeAdditional: false, coerceTypes: false, useDefaults: false, strict: false });
  const coerce = new Ajv({ allErrors: false, removeAdditional: false, coerceTypes: true, useDefaults: true, strict: false });
  return ({ schema, httpPart }) => refusingNul((httpPart === 'body' ? strict : coerce).compile(schema as object));
}

/**
 * Throws ERR_BAD_URL when the percent-encoded path or query does not decode to UTF-8 (fastify's
 * query parser would silently turn `%FF` into U+FFFD, so a read would answer for a name nobody sent).
 */
export function assertUtf8Url(url: string): void {
  if (!url.includes('%')) return;
  try {
    decodeURIComponent(url);
  } catch {
    throw new VeilError('ERR_BAD_URL', 'the URL does not percent-decode to UTF-8');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** JSON is the only body type; fastify's parser is replaced by one that refuses bytes that are not UTF-8 (ERR_VALIDATION). */
export function strictJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new VeilError('ERR_VALIDATION', 'the request body is not valid UTF-8'), undefined);
      return;
    }
    parse(req, text, done);
  });
}
