/**
 * The shape of the artifact pins compiled into the bundle (`src/pinned-artifacts.ts` writes them at
 * build time, `artifacts.ts` checks the server's files against them) and the file layout of
 * verification keys both sides agree on. Type imports only: the build (Node) imports it too.
 */
import type { CircuitInfo } from '@veil/prover/artifacts';

/** A pinned circuit; `acceptedUntil` (ISO 8601) marks a retired one, verified until then. */
export interface PinnedCircuit {
  name: string;
  id: string;
  /** Membership circuits: the statement they prove (`oidc`, `google`, `entra`). */
  variant?: string;
  /** Membership circuits: the JWS header is a public input (CircuitInfo.publicHeader). */
  publicHeader?: boolean;
  acceptedUntil?: string;
}

/** Pins compiled into the bundle: circuits, and verification-key sha256 by `pinKey`. */
export interface PinnedArtifacts {
  circuits: PinnedCircuit[];
  verificationKeys: Record<string, string>;
}

/** The pin of a verification key: `<name>.<circuit id>.<crs id>`. */
export const pinKey = (circuit: Pick<CircuitInfo, 'name' | 'id'>, crsId: string): string => `${circuit.name}.${circuit.id}.${crsId}`;

/** File of a key under `keys/`: `<name>.<crs id>.json` (current), `<name>.<id>.<crs id>.json` (retired), as circuits/scripts/build.ts writes them. */
export const keyFileName = (circuit: PinnedCircuit, crsId: string): string =>
  circuit.acceptedUntil === undefined ? `${circuit.name}.${crsId}.json` : `${circuit.name}.${circuit.id}.${crsId}.json`;
