// `npx vite` / `npx vite preview` from packages/web (API proxied to VEIL_API, default 127.0.0.1:8080).
import { webConfig } from './src/vite-config.ts';

export default webConfig();
