// Storage of the identity service: SQLite by default, PostgreSQL with DATABASE_URL.
export type { IdentityStore } from './types.ts';
export { openSqliteIdentityStore } from './sqlite.ts';
export { openPostgresIdentityStore, type PostgresIdentityStoreOptions } from './postgres.ts';
