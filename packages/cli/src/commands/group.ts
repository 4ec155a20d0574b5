// `veil group join --server URL --group ID --claims FILE --key FILE --secret FILE
//   [--replace] [--expect-measurement HEX] [--allow-simulation]`
// → {"group", "leafIndex", "size"}. Registers the commitment of the identity secret in --secret
// (created, mode 0600, when the file does not exist) in a person group through the registrar of the
// attested identity service; the claims file (from `veil identity enroll`) is what admits the
// person, --key any key linked to them. --replace swaps this person's earlier commitment in the
// group for this one (lost device). Exit 0 joined, 1 refused (code on stderr), 2 usage.
// Member groups: `--group member:DOMAIN --token FILE --secret FILE` instead of --claims/--key: the
// file holds an OIDC ID token of an issuer the identity service accepts whose nonce is what
// `veil group nonce --group member:DOMAIN --secret FILE` prints (it binds the group and the
// commitment); the token goes only to the attested service, encrypted to its channel key.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { deriveCommitment, generateIdentitySecret } from '@veil/crypto';
import { joinGroup, joinMemberGroup, memberJoinNonce, MEMBER_GROUP } from '@veil/identity/enroll';
import { readSecretFile } from '../lib/group-client.ts';
import { connectFromBoard, readUserKey } from '../lib/identity-client.ts';
import { action, UsageError } from '../lib/run.ts';

const PERSON_GROUP = /^(human|age:18\+|country:[A-Z]{2})$/;

/** The identity secret in `path`, made there first (0600, never overwritten) when missing. */
function identitySecret(path: string): string {
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${JSON.stringify({ secret: generateIdentitySecret() })}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`--secret ${path}: ${(e as Error).message}`);
    }
  }
  return readSecretFile(path).secret;
}

export function register(program: Command): void {
  const group = program.command('group').description('person groups (human, country:XX, age:18+, member:DOMAIN) fed by the identity service\'s registrar');
  group
    .command('join')
    .description('register your identity commitment in a person group; prints {"group","leafIndex","size"}')
    .requiredOption('--server <url>', 'board server (its /api/config names the identity service)')
    .requiredOption('--group <id>', 'human, age:18+, country:XX or member:DOMAIN')
    .option('--claims <file>', 'claims file from veil identity enroll (human, age:18+, country:XX)')
    .option('--key <file>', 'a key file linked to your enrollment (human, age:18+, country:XX)')
    .option('--token <file>', 'member:DOMAIN only: an OIDC ID token whose nonce is `veil group nonce` of this group and secret')
    .requiredOption('--secret <file>', 'identity secret JSON {"secret": hex}; created (mode 0600) if missing')
    .option('--replace', 'replace your earlier commitment in this group (lost device)')
    .option('--expect-measurement <hex>', 'expected enclave measurement (default: the build of these sources)')
    .option('--allow-simulation', 'accept SIMULATED attestation (development only; proves nothing)')
    .action(
      action(async (o: { server: string; group: string; claims?: string; key?: string; token?: string; secret: string; replace?: boolean; expectMeasurement?: string; allowSimulation?: boolean }) => {
        if (MEMBER_GROUP.test(o.group)) {
          if (o.token === undefined || o.claims !== undefined || o.key !== undefined) throw new UsageError(`--group ${o.group} takes --token FILE (not --claims/--key)`);
          let token: string;
          try {
            token = readFileSync(o.token, 'utf8').trim();
          } catch (e) {
            throw new UsageError(`--token ${o.token}: ${e instanceof Error ? e.message : String(e)}`);
          }
          const commitment = await deriveCommitment(identitySecret(o.secret));
          const conn = await connectFromBoard(o.server, o);
          const joined = await joinMemberGroup(conn, { group: o.group, commitment, token, replace: o.replace === true });
          process.stdout.write(`${JSON.stringify({ group: joined.group, leafIndex: joined.leafIndex, size: joined.size })}\n`);
          return;
        }
        if (!PERSON_GROUP.test(o.group)) throw new UsageError(`--group ${o.group}: expected human, age:18+, country:XX (ISO 3166-1 alpha-2, upper case) or member:DOMAIN (lower case)`);
        if (o.claims === undefined || o.key === undefined || o.token !== undefined) throw new UsageError(`--group ${o.group} takes --claims FILE and --key FILE (not --token)`);
        let claims: unknown;
        try {
          const { holder: _hint, ...file } = JSON.parse(readFileSync(o.claims, 'utf8')) as { holder?: unknown };
          claims = file;
        } catch (e) {
          throw new UsageError(`--claims ${o.claims}: ${e instanceof Error ? e.message : String(e)}`);
        }
        const key = readUserKey(o.key);
        const commitment = await deriveCommitment(identitySecret(o.secret));
        const conn = await connectFromBoard(o.server, o);
        const joined = await joinGroup(conn, { group: o.group, commitment, claims, key, replace: o.replace === true });
        process.stdout.write(`${JSON.stringify({ group: joined.group, leafIndex: joined.leafIndex, size: joined.size })}\n`);
      }),
    );
  group
    .command('nonce')
    .description('print the nonce an ID token must carry to join a member:DOMAIN group with this secret (put it in the sign-in request)')
    .requiredOption('--group <id>', 'member:DOMAIN')
    .requiredOption('--secret <file>', 'identity secret JSON {"secret": hex}; created (mode 0600) if missing')
    .action(
      action(async (o: { group: string; secret: string }) => {
        if (!MEMBER_GROUP.test(o.group)) throw new UsageError(`--group ${o.group}: expected member:DOMAIN (lower-case DNS name)`);
        process.stdout.write(`${memberJoinNonce(o.group, await deriveCommitment(identitySecret(o.secret)))}\n`);
      }),
    );
}
