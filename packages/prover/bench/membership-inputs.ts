// Inputs of a membership circuit for the benchmark: a token minted with a fresh RSA-2048 key (the
// crypto package's test fixtures) for a fresh ephemeral key, built for `variant`: a Google Workspace
// token for oidc and google (they prove the same token, so their figures compare circuits, not
// tokens), an Entra organisation-tenant token for entra (the email domain bound through xms_edov, so
// every check of its circuit runs).
import { buildInputs, generateEphemeralKey, type Variant } from '@veil/crypto';
import { mintEntraToken, mintGoogleToken } from '../../crypto/test/fixtures/tokens.ts';

export async function membershipInputs(variant: Variant = 'oidc'): Promise<Record<string, unknown>> {
  const { publicKey } = generateEphemeralKey();
  const expiry = Math.floor(Date.now() / 1000) + 86400;
  if (variant === 'entra') {
    const { token, jwk } = await mintEntraToken({ epk: publicKey, salt: 42n, expiry });
    const { inputs } = await buildInputs(token, jwk, publicKey, 42n, expiry, { variant, emailDomain: 'contoso.example' });
    return inputs as unknown as Record<string, unknown>;
  }
  const { token, jwk } = await mintGoogleToken({ epk: publicKey, salt: 42n, expiry });
  const { inputs } = await buildInputs(token, jwk, publicKey, 42n, expiry, { variant });
  return inputs as unknown as Record<string, unknown>;
}
