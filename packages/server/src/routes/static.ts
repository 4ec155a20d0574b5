// Static files: the web app (packages/web/dist, SPA fallback to index.html) and the prover
// artifacts under /artifacts/ (circuits, verification keys of current and retired circuits, test
// CRS in development). When the web app is not built, `/` is a JSON 404 rather than a crash.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export interface StaticOptions {
  webDist?: string;
  artifactDirs?: string[];
}

export async function staticRoutes(app: FastifyInstance, o: StaticOptions): Promise<boolean> {
  const dirs = (o.artifactDirs ?? []).filter((d) => existsSync(d));
  if (dirs.length > 0) {
    // Only the artifact files the browser prover needs, never anything else under those roots: the
    // compiled programs, the verification keys of current (`keys/<name>.<crs id>.json`) and retired
    // circuits (`keys/<name>.<circuit id>.<crs id>.json`, which browsers verify old bundles with),
    // the test CRS. No listing; `.` only as the separators of these names, so no path climbs out.
    const ARTIFACT = /^\/(circuits\.json|target\/[a-z0-9_-]+\.json|keys\/[a-z0-9_-]+(\.[0-9a-f]{64})?\.(aztec-ignition|test-[0-9a-f]{64})\.json|bn254_g[12]\.dat)$/;
    await app.register(fastifyStatic, {
      root: dirs, prefix: '/artifacts/', decorateReply: false, index: false, list: false, cacheControl: true, maxAge: 3600_000,
      allowedPath: (pathName) => ARTIFACT.test(pathName),
    });
  }
  const web = o.webDist && existsSync(join(o.webDist, 'index.html')) ? o.webDist : undefined;
  if (web) {
    await app.register(fastifyStatic, { root: web, prefix: '/', wildcard: false, index: ['index.html'], list: false });
  }
  return web !== undefined;
}
