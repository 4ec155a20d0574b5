export { buildApp, type AppDeps } from './build-app.ts';
export { loadConfig, assertProfile, DEFAULT_RATE_LIMIT, type ServerConfig, type IssuerConfig, type RateLimitConfig } from './config.ts';
export { openSqliteStorage, type SqliteOptions } from './storage/sqlite.ts';
export { openPostgresStorage, type PostgresOptions } from './storage/postgres.ts';
export type { Storage, MembershipRow, MessageRow, IssuerKeyRow } from './storage/types.ts';
export { KeyRegistry, type JwksSource, type RegistryIssuer } from './lib/key-registry.ts';
export type { MembershipVerifier, VerifiedClaims } from './lib/context.ts';
export { ERROR_STATUS } from './lib/errors.ts';
export { startServer, freePort, type StartOptions, type RunningServer } from './server.ts';
