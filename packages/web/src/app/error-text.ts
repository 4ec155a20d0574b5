/**
 * Refusals of one-person actions in words. The board answers with a machine-readable code (409
 * ERR_NULLIFIER_USED when a person acts twice in one scope, …); the page says what it means for
 * this action and keeps the code visible (bug reports, `veil` CLI parity).
 */
export type GroupAction = 'vote' | 'like' | 'poll' | 'post' | 'join';

const TEXT: Record<string, string | Partial<Record<GroupAction | 'any', string>>> = {
  ERR_NULLIFIER_USED: {
    vote: 'You have already voted in this poll. Each person has one vote here, and this poll does not allow changing it.',
    like: 'You have already liked this post: one like per person.',
    any: 'You have already done this once: it counts once per person.',
  },
  ERR_VOTE_REPLAY: 'A newer vote of yours is already counted; this older one was not taken.',
  ERR_POLL_CLOSED: 'This poll is closed: no more votes are taken.',
  ERR_OPTION_INVALID: 'That option is not one of this poll’s.',
  ERR_NOT_GROUP_MEMBER: { join: 'You are not in this group yet.', any: 'You are not a member of this group on this board: join it first.' },
  ERR_ROOT_UNKNOWN: 'The board does not know the group tree your proof was made against: you may not be a member. Reload the page and try again.',
  ERR_ROOT_EXPIRED: 'The group changed since your proof was made (or a member was removed): reload the page and try again.',
  ERR_GROUP_UNKNOWN: 'Nobody has joined this group on this board yet.',
  ERR_POLL_ID_TAKEN: 'A poll with this id exists already (sent twice?).',
  ERR_MESSAGE_ID_TAKEN: 'A post with this id exists already (sent twice?).',
  ERR_ALREADY_REGISTERED: 'You are already in this group with another identity secret (another browser or the CLI). Replace it to act from this browser; the other one then can no longer act in this group.',
  ERR_NOT_ELIGIBLE: 'Your attested claims do not admit you to this group.',
  ERR_NOT_ENROLLED: 'The identity service has no enrollment for this key: enroll again on the Identity page.',
  ERR_CLAIMS_NOT_YOURS: 'The saved claims belong to another key: enroll again on the Identity page.',
  ERR_REGISTRAR_UNAVAILABLE: 'The identity service runs no registrar, so no group can be joined here.',
  ERR_BOARD_REFUSED: 'The board refused the registrar’s update of the group tree.',
  ERR_BOARD_UNREACHABLE: 'The identity service could not reach the board to update the group tree.',
  ERR_CLOCK_SKEW: 'This device’s clock is off by more than a few minutes: fix the time and try again.',
  ERR_RATE_LIMITED: 'Too many requests: wait a moment and try again.',
  ERR_NETWORK: 'The server could not be reached (network error, or the server is down).',
  ERR_PROOF_INVALID: 'The board could not verify the proof.',
  ERR_GROUP_LOG_INVALID: 'The board’s group tree does not check out in this browser: its signed leaves do not give the roots it lists.',
  ERR_SIGNATURE_INVALID: { join: 'The ID token’s signature did not verify at the identity service.', any: 'A signature did not verify.' },
  // The registrar key (identity-service.ts attestedRegistrar): trusted only through evidence.
  ERR_REGISTRAR_NOT_CONFIGURED: 'This board has no registrar, so its groups cannot be checked.',
  ERR_REGISTRAR_UNATTESTED: 'Nothing attests the registrar key this board names, so this browser does not trust its group trees (a board could add members of its own).',
  ERR_REGISTRAR_MISMATCH: 'The board names a registrar key that is not the attested identity service’s: its group tree could hold members nobody admitted, so this browser does not trust it.',
  ERR_MEASUREMENT_MISMATCH: 'The identity service’s evidence is of another build than the one this board advertises.',
  ERR_SIMULATION_NOT_ALLOWED: 'The identity service’s attestation is simulated, which only a development board may use.',
  ERR_REPORT_DATA_MISMATCH: 'The identity service’s evidence does not bind the key it came with.',
  ERR_EVIDENCE_MALFORMED: 'The identity service’s evidence is malformed.',
  ERR_IDENTITY_UNREACHABLE: 'The identity service did not answer.',
  ERR_IDENTITY_SERVICE_NONE: 'This board runs no identity service.',
  // Joining a member:<domain> group with an ID token (group.join-member).
  ERR_MEMBER_GROUPS_UNAVAILABLE: 'The identity service accepts no sign-in provider for organisation groups, so none can be joined here.',
  ERR_NONCE_MISMATCH: 'The sign-in was not made for this group and this browser’s identity secret (its nonce differs): join again from the group page.',
  ERR_ISSUER_UNKNOWN: 'The identity service does not accept ID tokens of this sign-in provider.',
  ERR_ISSUER_KEY_UNKNOWN: 'The provider signed the ID token with a key the identity service does not know.',
  ERR_ISSUER_UNREACHABLE: 'The identity service could not fetch the provider’s signing keys; try again later.',
  ERR_AUD_MISMATCH: 'The ID token was issued for another site.',
  ERR_TOKEN_EXPIRED: 'The sign-in took too long and the ID token expired: join again.',
  ERR_EMAIL_UNVERIFIED: 'Your provider says the account’s email is not verified: verify it and join again.',
  ERR_DOMAIN_MISMATCH: 'The account you signed in with is not at this organisation (its email is at another domain).',
  ERR_TOKEN_MALFORMED: 'The provider’s ID token is malformed.',
  ERR_TOKEN_ALG: 'The provider’s ID token uses a signature algorithm the identity service does not accept.',
  ERR_CLAIM_MISSING: 'The provider’s ID token lacks a claim the identity service needs.',
  ERR_CLAIM_INVALID: 'The provider’s ID token has a claim the identity service does not accept.',
  ERR_REQUEST_STALE: 'The request to the identity service was too old when it arrived (a slow network, or this device’s clock is off): try again.',
};

/** One sentence for a refusal with `code` while doing `action`, with the code in brackets. */
export function refusalText(code: string, message: string, action: GroupAction): string {
  const t = TEXT[code];
  const text = typeof t === 'string' ? t : t ? (t[action] ?? t.any) : undefined;
  const fallback = message ? `${message.charAt(0).toUpperCase()}${message.slice(1)}` : 'The request was refused.';
  return `${text ?? fallback} (${code})`;
}
