/**
 * @veil/identity/notary (Node only): the notarised fetch from a data provider, and the provider
 * registry's entry format. `maskCredential` (the client's half) is runtime-agnostic and also at
 * `@veil/identity/notary/mask-credential`.
 */
export { beginNotarisedFetch, type NotarisedFetch, type NotarisedFetchOptions, type NotarisedRecord } from './begin-notarised-fetch.ts';
export { parseProviderConfig, ProviderConfigSchema, type ProviderConfig, type ParsedProvider } from './parse-provider-config.ts';
export { maskCredential } from './mask-credential.ts';
