import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute } from '../src/app/router.ts';

test('routes', () => {
  assert.deepEqual(parseRoute('/'), { page: 'feed' });
  assert.deepEqual(parseRoute('/g/acme.test'), { page: 'group', group: 'acme.test' });
  assert.deepEqual(parseRoute('/g/acme.test/public'), { page: 'group', group: 'acme.test' });
  assert.deepEqual(parseRoute('/g/acme.test/board'), { page: 'board', group: 'acme.test' });
  assert.deepEqual(parseRoute(`/p/${'ab'.repeat(16)}`), { page: 'post', id: 'ab'.repeat(16) });
  assert.deepEqual(parseRoute('/callback'), { page: 'callback' });
  assert.deepEqual(parseRoute('/orgs'), { page: 'orgs' });
  assert.deepEqual(parseRoute('/about'), { page: 'about' });
  for (const bad of ['/p/xyz', '/g/ACME', '/g/a/b', '/p/' + 'ab'.repeat(17), '/g/<script>']) {
    assert.deepEqual(parseRoute(bad), { page: 'notfound' }, bad);
  }
});
