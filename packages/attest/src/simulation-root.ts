/**
 * The public half of a per-install simulation root, as handed to verifiers.
 *
 * File format (JSON, version 1):
 *   { "v": 1, "type": "veil-simulation-root", "alg": "ES256", "publicKey": "04…" }
 * where publicKey is the uncompressed SEC1 P-256 point in lowercase hex (65 bytes).
 *
 * A verifier trusts simulation evidence only for the exact root it is given; there is no chain and
 * no global simulation root, so evidence from one developer's install never verifies against another's.
 */
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { VeilError } from '@veil/crypto';

/** The `type` tag of a simulation-root file. */
export const SIMULATION_ROOT_TYPE = 'veil-simulation-root';

/**
 * Serialises a simulation root public key to its JSON file form.
 *
 * @example
 * import { exportSimulationRoot } from '@veil/attest/simulation-root';
 * writeFileSync('simulation-root.json', exportSimulationRoot(publicKey));
 * @throws TypeError when the key is not an uncompressed P-256 point.
 */
export function exportSimulationRoot(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 65 || !p256.utils.isValidPublicKey(publicKey, false)) {
    throw new TypeError('publicKey must be an uncompressed P-256 point (65 bytes)');
  }
  return `${JSON.stringify({ v: 1, type: SIMULATION_ROOT_TYPE, alg: 'ES256', publicKey: bytesToHex(publicKey) })}\n`;
}

/**
 * Parses a simulation-root file and returns the 65-byte public key.
 *
 * @example
 * import { parseSimulationRoot } from '@veil/attest/simulation-root';
 * const root = parseSimulationRoot(readFileSync('simulation-root.json', 'utf8'));
 * @throws VeilError ERR_SIMULATION_ROOT_INVALID
 */
export function parseSimulationRoot(text: string): Uint8Array {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new VeilError('ERR_SIMULATION_ROOT_INVALID', 'simulation root is not JSON', { cause });
  }
  const d = doc as Record<string, unknown> | null;
  if (!d || typeof d !== 'object' || d.v !== 1 || d.type !== SIMULATION_ROOT_TYPE || d.alg !== 'ES256') {
    throw new VeilError('ERR_SIMULATION_ROOT_INVALID', 'not a version-1 ES256 veil-simulation-root document');
  }
  if (typeof d.publicKey !== 'string' || !/^04[0-9a-f]{128}$/.test(d.publicKey)) {
    throw new VeilError('ERR_SIMULATION_ROOT_INVALID', 'publicKey must be an uncompressed P-256 point in lowercase hex');
  }
  const key = hexToBytes(d.publicKey);
  if (!p256.utils.isValidPublicKey(key, false)) {
    throw new VeilError('ERR_SIMULATION_ROOT_INVALID', 'publicKey is not a point on P-256');
  }
  return key;
}
