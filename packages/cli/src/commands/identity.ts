// `veil identity …`: enrollment at the attested identity service and what follows from it.
//   enroll        --server URL --provider NAME --credential TOKEN --key FILE [--expect-measurement HEX] [--allow-simulation] [--out FILE]
//                 → {"fields": {name, birthdate, nationality}, "claims": "<path>"}; writes the claims file
//   link          --server URL --key FILE --claims FILE [--claims-key FILE] [trust flags]  → {"linked": "linked"|"already"}
//   participate   --server URL --key FILE --context ID [trust flags]  → {"accepted": true, "context"}; exit 1 if already taken part
//   verify-claim  FILE [--expect-measurement HEX] [--allow-simulation]  → verified facts
//   dev-credential --server URL (--person ID | --list)  DEVELOPMENT: a dev registry credential / the test people
// Exit codes: 0 success, 1 refused (the service's or verifier's code on stderr), 2 usage.
// The credential is masked on this side (credential ⊕ keystream) before it leaves; the identity
// service never receives it in plaintext. The expected measurement defaults to the enclave build
// of these sources (`veil attest measure`); pass --expect-measurement for any other build (SGX: MRENCLAVE).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { enroll, link, participate, verifyClaims } from '@veil/identity/enroll';
import { serverUrl } from '../lib/board-client.ts';
import { devRegistryCall, findDevRegistry } from '../lib/dev-registry-client.ts';
import { action, UsageError } from '../lib/run.ts';
import { warnSimulation } from '../lib/enclave-verify.ts';
import { connectFromBoard, expectedMeasurements, readUserKey, verifySgxQuote } from '../lib/identity-client.ts';

function readJson(path: string, flag: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${flag} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);

/** `veil identity dev-credential --server URL (--person ID | --list)` — development profile only. */
function registerDevCredential(identity: Command): void {
  identity
    .command('dev-credential')
    .description('DEVELOPMENT: print a bearer credential of a dev registry test person, or --list the people')
    .requiredOption('--server <url>', 'board server URL (its /api/config says where the dev registry is)')
    .option('--person <id>', 'test person id (see --list)')
    .option('--list', 'print the test people as a JSON array of {"id","name"}')
    .action(
      action(async (opts: { server: string; person?: string; list?: boolean }) => {
        if ((opts.person === undefined) === !opts.list) throw new UsageError('dev-credential: give exactly one of --person ID or --list');
        if (opts.person !== undefined && !/^[a-z0-9-]{1,32}$/.test(opts.person)) throw new UsageError(`--person ${opts.person}: not a test person id`);
        const registry = await findDevRegistry(serverUrl(opts.server));
        process.stderr.write(`veil: DEVELOPMENT dev registry at ${registry.url}\n`);
        if (opts.list) {
          const people = await devRegistryCall<Array<{ id: string; name: string }>>(registry, 'GET', '/dev/people');
          process.stdout.write(`${JSON.stringify(people.map(({ id, name }) => ({ id, name })))}\n`);
          return;
        }
        const { credential } = await devRegistryCall<{ credential: string }>(registry, 'POST', `/dev/people/${opts.person}/credential`);
        process.stdout.write(`${credential}\n`);
      }),
    );
}

export function register(program: Command): void {
  const identity = program.command('identity').description('enroll at the attested identity service, link keys, take part once, verify claims');
  registerDevCredential(identity);

  identity
    .command('enroll')
    .description('enroll through a data provider; prints your fields and writes a signed claims file')
    .requiredOption('--server <url>', 'board server (its /api/config names the identity service)')
    .requiredOption('--provider <name>', 'data provider, e.g. dev-registry')
    .requiredOption('--credential <token>', 'your bearer credential at the provider (masked before it leaves this machine)')
    .requiredOption('--key <file>', 'key file (veil keygen) the claims are bound to')
    .option('--expect-measurement <hex>', 'expected enclave measurement (default: the build of these sources)')
    .option('--allow-simulation', 'accept SIMULATED attestation (development only; proves nothing)')
    .option('--out <file>', 'claims file to write (default ./veil-claims-<key prefix>.json)')
    .action(
      action(async (o: { server: string; provider: string; credential: string; key: string; expectMeasurement?: string; allowSimulation?: boolean; out?: string }) => {
        const key = readUserKey(o.key);
        const conn = await connectFromBoard(o.server, o);
        const result = await enroll(conn, { provider: o.provider, credential: o.credential, key });
        const out = resolve(o.out ?? `veil-claims-${result.claims.subject.publicKey.slice(0, 8)}.json`);
        // `holder` is not signed: a local hint of which key file the claims belong to (for `link`).
        writeFileSync(out, `${JSON.stringify({ ...result.claims, holder: { keyFile: resolve(key.path) } }, null, 2)}\n`, { mode: 0o600 });
        print({ fields: result.fields, claims: out });
      }),
    );

  identity
    .command('link')
    .description('link another key to the person behind a claims file (both keys sign)')
    .requiredOption('--server <url>', 'board server')
    .requiredOption('--key <file>', 'the key file to link')
    .requiredOption('--claims <file>', 'a claims file from veil identity enroll')
    .option('--claims-key <file>', 'key file the claims are bound to (default: the one recorded at enrollment)')
    .option('--expect-measurement <hex>', 'expected enclave measurement (default: the build of these sources)')
    .option('--allow-simulation', 'accept SIMULATED attestation (development only; proves nothing)')
    .action(
      action(async (o: { server: string; key: string; claims: string; claimsKey?: string; expectMeasurement?: string; allowSimulation?: boolean }) => {
        const key = readUserKey(o.key);
        const { holder: hint, ...claims } = readJson(o.claims, '--claims') as { holder?: { keyFile?: unknown }; subject?: { publicKey?: unknown } };
        const holderPath = o.claimsKey ?? (typeof hint?.keyFile === 'string' ? hint.keyFile : undefined);
        if (!holderPath) throw new UsageError('--claims-key FILE is needed: the claims file does not name its key file');
        const holder = readUserKey(holderPath, '--claims-key');
        const { publicKeyOf } = await import('@veil/identity/enroll');
        if (publicKeyOf(holder.alg, holder.secretKey).publicKey !== claims.subject?.publicKey) {
          throw new UsageError(`--claims-key ${holderPath}: not the key the claims are bound to`);
        }
        const conn = await connectFromBoard(o.server, o);
        print(await link(conn, { claims, holder, key }));
      }),
    );

  identity
    .command('participate')
    .description('take part in a context (poll, airdrop) once per person; exit 1 if this person already did')
    .requiredOption('--server <url>', 'board server')
    .requiredOption('--key <file>', 'a key file linked to your enrollment')
    .requiredOption('--context <id>', 'the context id (printable ASCII, at most 128 characters)')
    .option('--expect-measurement <hex>', 'expected enclave measurement (default: the build of these sources)')
    .option('--allow-simulation', 'accept SIMULATED attestation (development only; proves nothing)')
    .action(
      action(async (o: { server: string; key: string; context: string; expectMeasurement?: string; allowSimulation?: boolean }) => {
        if (!/^[\x21-\x7e]{1,128}$/.test(o.context)) throw new UsageError('--context: printable ASCII without spaces, 1-128 characters');
        const key = readUserKey(o.key);
        const conn = await connectFromBoard(o.server, o);
        print(await participate(conn, { context: o.context, key }));
      }),
    );

  identity
    .command('verify-claim')
    .description('verify a claims file offline against the expected enclave measurement; prints its facts')
    .argument('<file>', 'claims file')
    .option('--expect-measurement <hex>', 'expected enclave measurement (default: the build of these sources)')
    .option('--allow-simulation', 'accept SIMULATED attestation (development only; proves nothing)')
    .action(
      action(async (file: string, o: { expectMeasurement?: string; allowSimulation?: boolean }) => {
        const { holder: _hint, ...claims } = readJson(file, 'FILE') as { holder?: unknown };
        const measurements = await expectedMeasurements(o);
        if (o.allowSimulation) warnSimulation();
        print(await verifyClaims(claims, { measurements, allowSimulation: o.allowSimulation === true, verifySgxQuote }));
      }),
    );
}
