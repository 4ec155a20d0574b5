// Vite handles CSS imports; TypeScript only needs to know they exist.
declare module '*.css';

// Circuit ids and verification-key hashes pinned at build time (src/pinned-artifacts.ts, vite-config.ts).
declare module 'virtual:veil-pinned-artifacts' {
  const pinned: import('./workers/artifacts.ts').PinnedArtifacts;
  export default pinned;
}
