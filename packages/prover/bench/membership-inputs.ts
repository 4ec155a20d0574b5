// Inputs of a membership circuit for the benchmark: a Google Workspace token minted with a fresh
// RSA-2048 key (the crypto package's test fixtures) for a fresh ephemeral key, built for `variant`
// (oidc and google prove the same token, so their figures compare circuits, not tokens). A new
// variant adds its token here (e.g. an Entra-shaped one).
import { buildInputs, generateEphemeralKey, type Variant } from '@veil/crypto';
import { mintGoogleToken } from '../../crypto/test/fixtures/tokens.ts';

export async function membershipInputs(variant: Variant = 'oidc'): Promise<Record<string, unknown>> {
  const { publicKey } = generateEphemeralKey();
  const expiry = Math.floor(Date.now() / 1000) + 86400;
  const { token, jwk } = await mintGoogleToken({ epk: publicKey, salt: 42n, expiry });
  const { inputs } = await buildInputs(token, jwk, publicKey, 42n, expiry, { variant });
  return inputs as unknown as Record<string, unknown>;
}
