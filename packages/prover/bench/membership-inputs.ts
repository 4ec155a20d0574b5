// Inputs of the membership circuit for the benchmark: a Google-shaped token minted with a fresh
// RSA-2048 key (the crypto package's test fixtures) for a fresh ephemeral key.
import { buildInputs, generateEphemeralKey } from '@veil/crypto';
import { mintGoogleToken } from '../../crypto/test/fixtures/tokens.ts';

export async function membershipInputs(): Promise<Record<string, unknown>> {
  const { publicKey } = generateEphemeralKey();
  const expiry = Math.floor(Date.now() / 1000) + 86400;
  const { token, jwk } = await mintGoogleToken({ epk: publicKey, salt: 42n, expiry });
  const { inputs } = await buildInputs(token, jwk, publicKey, 42n, expiry);
  return inputs as unknown as Record<string, unknown>;
}
