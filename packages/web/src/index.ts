/** Node-side entry of the web package: building the app for `veil serve`. The browser app is `src/app/main.ts`. */
export { buildWeb, ensureWebBuilt, webSourcesHash, DIST_DIR, ISOLATION_HEADERS, CONTENT_SECURITY_POLICY } from './build.ts';
