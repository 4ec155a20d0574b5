/**
 * The identity-service builds whose issuer-key observations the built app trusts (for keys an
 * issuer has rotated away), pinned at build time like the circuit ids and verification keys
 * (pinned-artifacts.ts): `VEIL_OBSERVER_MEASUREMENTS` (comma-separated hex), else the enclave
 * build of these very sources (`veil attest measure`, the CLI's default too). Simulated evidence is
 * accepted only by a bundle built with `VEIL_OBSERVER_ALLOW_SIMULATION=1` (never on the server's
 * word: anyone can make simulation evidence name any measurement). Served to the bundle as
 * `virtual:veil-pinned-observers`. Node-only (build time).
 */
import type { Plugin } from 'vite';

export interface PinnedObservers {
  measurements: string[];
  allowSimulation: boolean;
}

/**
 * @example
 * import { pinnedObservers } from '@veil/web/pinned-observers';
 * (await pinnedObservers()).measurements; // ['5f1c…']
 * @throws Error when VEIL_OBSERVER_MEASUREMENTS holds something other than 32-byte hex values.
 */
export async function pinnedObservers(env: NodeJS.ProcessEnv = process.env): Promise<PinnedObservers> {
  const allowSimulation = env.VEIL_OBSERVER_ALLOW_SIMULATION === '1';
  const listed = env.VEIL_OBSERVER_MEASUREMENTS?.split(',').map((m) => m.trim().toLowerCase()).filter((m) => m !== '');
  if (listed && listed.length > 0) {
    const bad = listed.find((m) => !/^[0-9a-f]{64}$/.test(m));
    if (bad !== undefined) throw new Error(`VEIL_OBSERVER_MEASUREMENTS: ${bad} is not 32 bytes of hex`);
    return { measurements: listed, allowSimulation };
  }
  const { measureEnclave } = await import('@veil/identity/build-enclave');
  return { measurements: [await measureEnclave()], allowSimulation };
}

const ID = 'virtual:veil-pinned-observers';

/** The Vite plugin that serves the pins to the page and the workers. */
export function pinnedObserversModule(): Plugin {
  return {
    name: 'veil-pinned-observers',
    resolveId: (id) => (id === ID ? `\0${ID}` : undefined),
    async load(id) {
      if (id !== `\0${ID}`) return undefined;
      return `export default ${JSON.stringify(await pinnedObservers())};`;
    },
  };
}
