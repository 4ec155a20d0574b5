export { VeilError, isVeilError } from './errors.ts';
export { encodePost, POST_DOMAIN, type Post } from './encode-post.ts';
export { encodeLike, LIKE_DOMAIN, type Like } from './encode-like.ts';
export { encodeRequest, REQUEST_DOMAIN, REQUEST_HEADERS, type SignedRequest } from './encode-request.ts';
export { signPayload } from './sign-payload.ts';
export { verifySignature } from './verify-signature.ts';
export { generateMessageId } from './generate-message-id.ts';
export { sha256PrefixState, sha256FromState, SHA256_IV } from './lib/sha256-state.ts';
export { toLimbs, fromLimbs } from './lib/rsa-limbs.ts';
