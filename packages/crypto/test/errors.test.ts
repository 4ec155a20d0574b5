import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VeilError, isVeilError } from '../src/errors.ts';

test('VeilError carries a stable code and cause', () => {
  const cause = new Error('inner');
  const e = new VeilError('ERR_EXAMPLE', 'example', { cause });
  assert.equal(e.code, 'ERR_EXAMPLE');
  assert.equal(e.cause, cause);
  assert.ok(isVeilError(e, 'ERR_EXAMPLE'));
  assert.ok(!isVeilError(e, 'ERR_OTHER'));
  assert.ok(!isVeilError(new Error('x')));
});
