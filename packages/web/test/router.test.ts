import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupPath, parseRoute } from '../src/app/router.ts';

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

test('person-group and poll routes; groupPath round-trips', () => {
  assert.deepEqual(parseRoute('/groups'), { page: 'groups' });
  assert.deepEqual(parseRoute(`/polls/${'cd'.repeat(16)}`), { page: 'poll', id: 'cd'.repeat(16) });
  for (const [group, path] of [['human', '/groups/human'], ['country:DE', '/groups/country/DE'], ['age:18+', '/groups/age/18%2B'], ['member:acme.test', '/groups/member/acme.test/']]) {
    assert.equal(groupPath(group!), path);
    assert.deepEqual(parseRoute(path!), { page: 'person-group', group });
  }
  assert.deepEqual(parseRoute('/groups/member/acme.test'), { page: 'person-group', group: 'member:acme.test' });
  for (const bad of ['/groups/Human', '/groups/country/D%E', '/groups/a/b/c', '/groups/country/%3Cx%3E', '/polls/xyz']) {
    assert.deepEqual(parseRoute(bad), { page: 'notfound' }, bad);
  }
});
