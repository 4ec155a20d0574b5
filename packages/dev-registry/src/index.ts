export { startDevRegistry, CREDENTIAL_LENGTH, ME_PATH, type DevRegistry, type DevRegistryOptions, type DevRegistryProvider } from './start-dev-registry.ts';
export { DEV_PEOPLE, type DevPerson, type DevPersonRecord } from './people.ts';
export { generateDevCa, importDevCa, issueServerCertificate, type DevCa, type ServerCertificate } from './generate-certificates.ts';
