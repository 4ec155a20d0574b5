// Refusals of one-person actions in words (src/app/error-text.ts): the same code reads right for
// the action it refused, unknown codes fall back to the server's message, the code stays visible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusalText } from '../src/app/error-text.ts';

test('refusals in words, per action, with the code', () => {
  assert.equal(refusalText('ERR_NULLIFIER_USED', 'this person already voted', 'vote'),
    'You have already voted in this poll. Each person has one vote here, and this poll does not allow changing it. (ERR_NULLIFIER_USED)');
  assert.equal(refusalText('ERR_NULLIFIER_USED', 'x', 'like'), 'You have already liked this post: one like per person. (ERR_NULLIFIER_USED)');
  assert.match(refusalText('ERR_NULLIFIER_USED', 'x', 'post'), /^You have already done this once/);
  assert.equal(refusalText('ERR_POLL_CLOSED', 'this poll is closed', 'vote'), 'This poll is closed: no more votes are taken. (ERR_POLL_CLOSED)');
  assert.equal(refusalText('ERR_SOMETHING_NEW', 'the board said no', 'vote'), 'The board said no (ERR_SOMETHING_NEW)');
  assert.equal(refusalText('ERR_SOMETHING_NEW', '', 'vote'), 'The request was refused. (ERR_SOMETHING_NEW)');
});
