// Vite handles CSS imports; TypeScript only needs to know they exist.
declare module '*.css';

// Circuit ids and verification-key hashes pinned at build time (src/pinned-artifacts.ts, vite-config.ts).
// Identity-service measurements whose key observations are trusted (src/pinned-observers.ts).
declare module 'virtual:veil-pinned-observers' {
  const pinned: import('../pinned-observers.ts').PinnedObservers;
  export default pinned;
}
declare module 'virtual:veil-pinned-artifacts' {
  const pinned: import('./workers/artifact-pins.ts').PinnedArtifacts;
  export default pinned;
}
