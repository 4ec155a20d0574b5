/**
 * The client's half of the notarised fetch: masked = credential ⊕ mask. Runs on the user's side
 * (CLI, browser), never in the service. It refuses a credential that is not exactly the provider's
 * declared length or not a bearer token (RFC 6750 b64token = RFC 7235 token68:
 * ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "=" padding), so an honest client can never
 * put CR, LF, spaces or other header syntax into the request. A dishonest client can skip this
 * check; the service cannot see the span's plaintext (see the README's limits).
 */
import { VeilError } from '@veil/crypto';

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * @example
 * import { maskCredential } from '@veil/identity/notary/mask-credential';
 * const masked = maskCredential(provider, session.mask, 'NYejyMaUrXADhOmqWNb_x6Siv5owQJyajWnPxXEoelI');
 * @throws VeilError ERR_PROVIDER_CREDENTIAL_INVALID (wrong length or characters)
 */
export function maskCredential(provider: { credential: { length: number } }, mask: Uint8Array, credential: string): Uint8Array {
  const length = provider.credential.length;
  if (!(mask instanceof Uint8Array) || mask.length !== length) throw new TypeError(`mask: ${length} bytes expected`);
  if (credential.length !== length || !TOKEN68.test(credential)) {
    throw new VeilError('ERR_PROVIDER_CREDENTIAL_INVALID', `credential: ${length} characters of a bearer token (A-Z a-z 0-9 - . _ ~ + / then =) expected`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = credential.charCodeAt(i) ^ mask[i]!;
  return out;
}
