// Board client commands: `veil join`, `veil post`, `veil read`, `veil like`, `veil verify-message`
// (which also covers posts made in person groups with a group proof).
// Every write is signed locally with the ephemeral key that `veil login` stored for the server (or
// --key FILE from `veil keygen`); reads of a members-only board are signed requests. The server is
// --server, else VEIL_SERVER, else the last login's, else http://127.0.0.1:8080 (`npm start`).
// `verify-message` trusts nothing the server says without checking it: signature, membership proof,
// and an issuer key only from the issuer itself, a key set the user pinned, or a notarised
// observation by an identity service whose measurement the user pins (`--trust-server-keys` to
// accept the server's word, loudly).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { VeilError, assertIssuerKeyFor, isVeilError, issuerForIss, encodeLike, encodePost, generateMessageId, signPayload, verifySignature, type Like, type Post } from '@veil/crypto';
import { MAX_TEXT_CODE_POINTS } from '@veil/server/schemas';
import type { ConfigResponse, FeedResponse, LikeResponse, MessageDetail } from '@veil/server/schemas';
import { action, UsageError } from '../lib/run.ts';
import { api, requireKey, resolveKey, resolveServer } from '../lib/board-client.ts';
import { warnTestCrs } from '../lib/crs-follow.ts';
import { REGISTRAR_TRUST_OPTIONS, verifyGroupPost, type RegistrarTrustFlags } from '../lib/group-client.ts';
import { trustIssuerKey } from '../lib/trust-issuer-key.ts';
import { warnSimulation } from '../lib/enclave-verify.ts';
import { expectedMeasurements, verifySgxQuote } from '../lib/identity-client.ts';

const MAX_TEXT = MAX_TEXT_CODE_POINTS;
const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
const note = (m: string) => process.stderr.write(`veil: ${m}\n`);
const SERVER_HELP = 'board server (default: $VEIL_SERVER, else the last `veil login`, else http://127.0.0.1:8080)';
const KEY_HELP = 'ephemeral key JSON from `veil keygen` (default: the key `veil login` stored for the server)';

/**
 * Post text must have 1..max code points and not be only whitespace: one message for every way to miss.
 * @example
 * assertPostText('hello', 2000);
 * @throws VeilError ERR_TEXT_LENGTH for empty, blank or oversized text.
 */
export function assertPostText(text: string, max: number): void {
  const n = [...text].length;
  if (text.trim() === '' || n > max) {
    throw new VeilError('ERR_TEXT_LENGTH', `a post needs 1 to ${max.toLocaleString('en')} characters of text, not only spaces (this one has ${n}${n > 0 && text.trim() === '' ? ', all blank' : ''})`);
  }
}

export function register(program: Command): void {
  program
    .command('join')
    .description('register a membership proof bundle with a board server')
    .option('--server <url>', SERVER_HELP)
    .requiredOption('--bundle <file>', 'proof bundle from `veil membership prove`')
    .action(
      action(async (o: { server?: string; bundle: string }) => {
        let bundle: unknown;
        try {
          bundle = JSON.parse(readFileSync(o.bundle, 'utf8'));
        } catch (e) {
          throw new UsageError(`--bundle ${o.bundle}: ${e instanceof Error ? e.message : String(e)}`);
        }
        const server = resolveServer(o.server);
        print(await api(server, 'POST', '/api/memberships', { body: bundle }));
        note(`joined ${server}: the bundle's key can now post (veil post --key FILE --text …)`);
      }),
    );

  program
    .command('post')
    .description('sign and publish a post; prints the post id')
    .option('--server <url>', SERVER_HELP)
    .option('--key <file>', KEY_HELP)
    .option('--group <domain>', 'the group (email domain) your membership proves (default: the one `veil login` proved)')
    .option('--internal', 'post to the members-only board of the group')
    .requiredOption('--text <text>', 'the post text (1-2,000 Unicode code points)')
    .action(
      action(async (o: { server?: string; key?: string; group?: string; internal?: boolean; text: string }) => {
        const server = resolveServer(o.server);
        const { key, login } = requireKey(o.key, server);
        const group = o.group ?? login?.group;
        if (!group) throw new UsageError('--group is required with --key (the domain your membership proves)');
        assertPostText(o.text, MAX_TEXT);
        const message: Post = { v: 1, id: generateMessageId(), group, internal: o.internal === true, text: o.text, createdAt: Date.now(), epk: key.publicKey };
        const signature = signPayload(encodePost(message), key.secretKey);
        await api(server, 'POST', '/api/messages', { body: { message, signature } });
        process.stdout.write(`${message.id}\n`);
        note(`posted to ${group}${message.internal ? "'s members-only board" : ' (public)'}: ${server}/p/${message.id}`);
      }),
    );

  program
    .command('read')
    .description('read the feed (JSON); --internal reads the members-only board with a signed request')
    .option('--server <url>', SERVER_HELP)
    .option('--group <domain>', 'only this group')
    .option('--internal', 'the members-only board of --group (default: your group), signed with your key')
    .option('--key <file>', KEY_HELP)
    .option('--limit <n>', 'page size (1-100)', '20')
    .option('--cursor <c>', 'cursor from a previous page')
    .action(
      action(async (o: { server?: string; group?: string; internal?: boolean; key?: string; limit: string; cursor?: string }) => {
        const server = resolveServer(o.server);
        const signer = o.internal ? requireKey(o.key, server) : undefined;
        const group = o.group ?? (o.internal ? signer?.login?.group : undefined);
        if (o.internal && !group) throw new UsageError('--internal needs --group (or a `veil login`, whose group is the default)');
        const q = new URLSearchParams();
        if (group) q.set('group', group);
        if (o.internal) q.set('internal', 'true');
        q.set('limit', o.limit);
        if (o.cursor) q.set('cursor', o.cursor);
        const feed = await api<FeedResponse>(server, 'GET', `/api/messages?${q}`, signer ? { sign: signer.key } : {});
        print(feed);
        note(`${feed.messages.length} post${feed.messages.length === 1 ? '' : 's'} from ${server}${group ? ` (${group}${o.internal ? ', members only' : ''})` : ''}${
          feed.nextCursor ? `; older ones: --cursor ${feed.nextCursor}` : ''}; check one with veil verify-message <id>`);
      }),
    );

  program
    .command('like')
    .description('like (or --unlike) a post, signed with your ephemeral key')
    .option('--server <url>', SERVER_HELP)
    .option('--key <file>', KEY_HELP)
    .option('--unlike', 'withdraw the like')
    .argument('<id>', 'post id')
    .action(
      action(async (id: string, o: { server?: string; key?: string; unlike?: boolean }) => {
        if (!/^[0-9a-f]{32}$/.test(id)) throw new UsageError(`${id}: not a post id (32 hex characters)`);
        const server = resolveServer(o.server);
        const { key } = requireKey(o.key, server);
        const like: Like = { v: 1, messageId: id, action: o.unlike ? 'unlike' : 'like', createdAt: Date.now(), epk: key.publicKey };
        const signature = signPayload(encodeLike(like), key.secretKey);
        const r = await api<LikeResponse>(server, 'POST', '/api/likes', { body: { like, signature } });
        print(r);
        note(`${r.liked ? 'liked' : 'not liked'}; ${r.likes} like${r.likes === 1 ? '' : 's'}`);
      }),
    );

  program
    .command('verify-message')
    .description('re-verify a post locally: signature, membership proof, issuer key (exit 0 valid, 1 invalid)')
    .option('--server <url>', SERVER_HELP)
    .option('--key <file>', `${KEY_HELP}, to fetch a members-only post`)
    .option('--jwks <file>', 'issuer key set you pinned { "keys": [...] }: trusted besides what the issuer itself publishes')
    .option('--trust-server-keys', "accept an issuer key only the board server vouches for (the server could have invented it)")
    .option('--allow-test-crs', 'accept proofs made with the INSECURE test CRS (default: when the server runs it, or VEIL_CRS=test; always with a warning)')
    .option('--email-domain <domain>', 'require the membership to bind this email domain (entra: the tenant vouches for it through xms_edov)')
    .option(...REGISTRAR_TRUST_OPTIONS[0]).option(...REGISTRAR_TRUST_OPTIONS[1]).option(...REGISTRAR_TRUST_OPTIONS[2])
    .argument('<id>', 'post id')
    .action(
      action(async (id: string, o: { server?: string; key?: string; jwks?: string; trustServerKeys?: boolean; allowTestCrs?: boolean; emailDomain?: string } & RegistrarTrustFlags) => {
        if (!/^[0-9a-f]{32}$/.test(id)) throw new UsageError(`${id}: not a post id (32 hex characters)`);
        if (o.emailDomain !== undefined && !/^[^\s@]+$/.test(o.emailDomain)) throw new UsageError('--email-domain must be a domain such as contoso.com (no "@", no spaces)');
        const server = resolveServer(o.server);
        const pinned = o.jwks === undefined ? undefined : readJwksFile(o.jwks);
        const sign = resolveKey(o.key, server)?.key;
        let d: MessageDetail;
        try {
          d = await api<MessageDetail>(server, 'GET', `/api/messages/${id}`, sign ? { sign } : {});
        } catch (e) {
          if (!isVeilError(e, 'ERR_NOT_FOUND')) throw e;
          // Not a key-signed post: maybe one made in a person group with a group proof.
          const group = await verifyGroupPost(server, id, o).catch((g: unknown) => {
            if (isVeilError(g, 'ERR_NOT_FOUND')) return null;
            throw g;
          });
          if (group) {
            // A person group's proof is anonymous: it binds no email domain.
            if (o.emailDomain !== undefined) throw new VeilError('ERR_EMAIL_DOMAIN_MISMATCH', `post ${id} is made with a group proof, which binds no email domain; ${o.emailDomain} is required`);
            print(group);
            return;
          }
          // The server answers "not found" for members-only posts to non-members, on purpose.
          throw new VeilError('ERR_NOT_FOUND', sign
            ? `${server} has no post ${id} that this key may read (missing, or on another group's members-only board)`
            : `${server} has no public post ${id}: if it is on a members-only board, reading it needs a member's key (veil login, or --key FILE)`);
        }
        const m = d.message;
        const claims = d.membership.bundle.claims;
        if (m.id !== id) throw new VeilError('ERR_MESSAGE_MISMATCH', 'the server returned another message');
        // 1. the post is signed by its ephemeral key over every field (Veil's strict Ed25519 rule)
        verifySignature(encodePost(m), d.signature, m.epk);
        // 2. the membership names that key and that group, and covered the time of posting
        if (claims.epk !== m.epk) throw new VeilError('ERR_MEMBERSHIP_MISMATCH', 'the membership proof is for another key');
        if (claims.domain !== m.group) throw new VeilError('ERR_MEMBERSHIP_MISMATCH', `the membership proves ${claims.domain}, the post claims ${m.group}`);
        if (m.createdAt > claims.expiry * 1000) throw new VeilError('ERR_MEMBERSHIP_EXPIRED', 'the post was made after the membership expired');
        // 3. the issuer key: one for this proof — under the issuer this server admits its iss as (a
        // multi-tenant Microsoft issuer's template for a tenant's iss) — and the server's word is not
        // enough (lib/trust-issuer-key.ts)
        const config = await api<ConfigResponse>(server, 'GET', '/api/config');
        const issuer = issuerForIss(config.issuers, claims.iss);
        const k = d.issuerKey;
        if (k.kid !== claims.kid || (!issuer && k.iss !== claims.iss)) throw new VeilError('ERR_ISSUER_KEY_MISMATCH', 'the issuer key returned is not the one the proof names');
        if (issuer) assertIssuerKeyFor(k.iss, claims, issuer);
        // Ask the proof's own issuer: a tenant's discovery names its tenant issuer, not the template.
        const trust = await trustIssuerKey(k, {
          askIss: claims.iss, ...(pinned ? { pinned } : {}), trustServerKeys: o.trustServerKeys === true, observations: d.issuerKeyObservations,
          observerTrust: async () => ({ measurements: await expectedMeasurements(o), allowSimulation: o.allowSimulation === true, verifySgxQuote }),
        });
        if (trust.source === 'server') process.stderr.write(`veil: warning: ${trust.note}\n`);
        if (trust.observation?.simulated) warnSimulation();
        // 4. the proof, against that key, this server's accepted issuer/audience, at the time of posting
        if (!issuer) throw new VeilError('ERR_ISSUER_UNKNOWN', `${claims.iss} is not an issuer of this server`);
        // The CRS follows the server: a development server's posts are proven with its test CRS.
        const testCrs = d.membership.bundle.crs.kind === 'test';
        // Only a server in the development profile is followed: a production one never runs the test CRS.
        const serverTestCrs = config.crs?.kind === 'test' && config.profile === 'development';
        const allowTestCrs = o.allowTestCrs === true || serverTestCrs || process.env.VEIL_CRS === 'test';
        if (testCrs && allowTestCrs) warnTestCrs(o.allowTestCrs ? '--allow-test-crs' : serverTestCrs ? `${server} is a development server` : 'VEIL_CRS=test');
        const { verify } = await import('@veil/prover');
        const verified = await verify(d.membership.bundle, { keys: [k.jwk] }, {
          iss: claims.iss, aud: issuer.aud, domain: m.group, now: Math.floor(m.createdAt / 1000) - 1,
          // The statement this server admits for the issuer (servers from before variants: any).
          ...(issuer.variant !== undefined ? { variant: issuer.variant } : {}),
          // The email domain(s) asked for here, else those the server admits for the issuer.
          ...(o.emailDomain !== undefined ? { emailDomain: o.emailDomain } : issuer.emailDomains ? { emailDomain: issuer.emailDomains } : {}),
          allowTestCrs,
        });
        print({
          valid: true, id: m.id, group: verified.domain, variant: verified.variant,
          ...(verified.emailDomain !== undefined ? { emailDomain: verified.emailDomain } : {}), iss: verified.iss, kid: verified.kid, crs: verified.crs.kind, issuerKey: trust.note, keySource: trust.source,
          ...(trust.observation ? { keyObservation: trust.observation } : {}),
        });
        note(`valid: signed by a key proven to belong to someone at ${verified.domain} (checked on this machine${verified.crs.kind === 'test' ? ', TEST CRS: forgeable' : ''})`);
      }),
    );
}

/** A pinned JWKS file; unreadable is a usage error, not a key set is ERR_JWKS_MALFORMED. */
function readJwksFile(path: string): { keys: Array<{ kid?: unknown; n?: unknown; e?: unknown }> } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--jwks ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new VeilError('ERR_JWKS_MALFORMED', `--jwks ${path} is not JSON`);
  }
  const keys = (v as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null)) throw new VeilError('ERR_JWKS_MALFORMED', `--jwks ${path} must be { "keys": [...] }`);
  return { keys };
}
