/**
 * `member:<domain>` groups: one identity commitment per person of an organisation, admitted by an
 * OIDC ID token the person hands to the service inside the HPKE channel.
 *
 * - The token's `nonce` must be `memberJoinNonce(group, commitment)` = hex SHA-256 of
 *   "veil-identity/member-join/v1" ‖ 0x00 ‖ (u16 length ‖ group) ‖ commitment (32 bytes): a token is
 *   good for this group and this commitment only, so a token that leaks elsewhere cannot register
 *   someone else's commitment, and one obtained for one group cannot be replayed for another.
 * - The person key is the OPRF (the UID service, as for UIDs) of
 *   "veil-identity/member-input/v1" ‖ 0x00 ‖ (u16 length ‖ UTF-8)×2 of `iss` and `sub`; the tag
 *   differs from the UID input's ("veil-identity/uid-input/v1"), so it can never equal a UID.
 * Runtime-agnostic (the client computes the nonce).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toHex } from '@veil/crypto/bytes';
import { taggedEncoding } from '../lib/tagged-encoding.ts';

/** A member group: `member:` and a lower-case DNS name (the email domain), as the board names groups. */
export const MEMBER_GROUP = /^member:(?=.{1,64}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/**
 * The nonce an ID token must carry to admit `commitment` to `group`.
 *
 * @example
 * import { memberJoinNonce } from '@veil/identity/enroll';
 * const nonce = memberJoinNonce('member:acme.test', commitment); // put it in the authorization request
 * @throws VeilError ERR_REQUEST_MALFORMED when the commitment is not 32 bytes of hex.
 */
export function memberJoinNonce(group: string, commitment: string): string {
  return toHex(sha256(taggedEncoding('veil-identity/member-join/v1', [new TextEncoder().encode(group), fromHex(commitment, 32, 'ERR_REQUEST_MALFORMED', 'commitment')])));
}

/**
 * The OPRF input of a person of an organisation: their account at the issuer.
 *
 * @example
 * const personKey = await deriveUid(encodeMemberInput(iss, sub));
 */
export function encodeMemberInput(iss: string, sub: string): Uint8Array {
  return taggedEncoding('veil-identity/member-input/v1', [new TextEncoder().encode(iss), new TextEncoder().encode(sub)]);
}
