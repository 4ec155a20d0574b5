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

test('every refusal of a member-group join and of the registrar check has its own words', () => {
  const codes = [
    'ERR_ALREADY_REGISTERED', 'ERR_NONCE_MISMATCH', 'ERR_ISSUER_UNKNOWN', 'ERR_ISSUER_KEY_UNKNOWN', 'ERR_ISSUER_UNREACHABLE', 'ERR_AUD_MISMATCH',
    'ERR_SIGNATURE_INVALID', 'ERR_TOKEN_EXPIRED', 'ERR_EMAIL_UNVERIFIED', 'ERR_DOMAIN_MISMATCH', 'ERR_TOKEN_MALFORMED', 'ERR_TOKEN_ALG',
    'ERR_CLAIM_MISSING', 'ERR_CLAIM_INVALID', 'ERR_MEMBER_GROUPS_UNAVAILABLE', 'ERR_REGISTRAR_UNAVAILABLE', 'ERR_BOARD_UNREACHABLE',
    'ERR_BOARD_REFUSED', 'ERR_REQUEST_STALE', 'ERR_RATE_LIMITED', 'ERR_IDENTITY_UNREACHABLE',
    'ERR_REGISTRAR_NOT_CONFIGURED', 'ERR_REGISTRAR_UNATTESTED', 'ERR_REGISTRAR_MISMATCH', 'ERR_MEASUREMENT_MISMATCH',
    'ERR_SIMULATION_NOT_ALLOWED', 'ERR_REPORT_DATA_MISMATCH', 'ERR_EVIDENCE_MALFORMED',
  ];
  for (const c of codes) {
    const t = refusalText(c, 'the raw message', 'join');
    assert.ok(!t.startsWith('The raw message'), `${c} falls back to the raw message`);
    assert.ok(t.endsWith(`(${c})`));
  }
});
