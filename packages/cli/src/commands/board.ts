// Board client commands: `veil join`, `veil post`, `veil read`, `veil like`, `veil verify-message`
// (which also covers posts made in person groups with a group proof).
// Every write is signed locally with the ephemeral key from `veil keygen` (--key FILE); reads of a
// members-only board are signed requests. `verify-message` trusts nothing the server says without
// checking it: signature, membership proof and the issuer key (server registry + issuer JWKS).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { VeilError, isVeilError, encodeLike, encodePost, generateMessageId, signPayload, verifySignature, type Like, type Post } from '@veil/crypto';
import type { ConfigResponse, FeedResponse, KeysResponse, LikeResponse, MessageDetail } from '@veil/server/schemas';
import { action, UsageError } from '../lib/run.ts';
import { api, readKeyFile, serverUrl } from '../lib/board-client.ts';
import { verifyGroupPost } from '../lib/group-client.ts';

const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

export function register(program: Command): void {
  program
    .command('join')
    .description('register a membership proof bundle with a board server')
    .requiredOption('--server <url>', 'board server, e.g. http://127.0.0.1:8080')
    .requiredOption('--bundle <file>', 'proof bundle from `veil membership prove`')
    .action(
      action(async (o: { server: string; bundle: string }) => {
        let bundle: unknown;
        try {
          bundle = JSON.parse(readFileSync(o.bundle, 'utf8'));
        } catch (e) {
          throw new UsageError(`--bundle ${o.bundle}: ${e instanceof Error ? e.message : String(e)}`);
        }
        print(await api(serverUrl(o.server), 'POST', '/api/memberships', { body: bundle }));
      }),
    );

  program
    .command('post')
    .description('sign and publish a post; prints the post id')
    .requiredOption('--server <url>', 'board server')
    .requiredOption('--key <file>', 'ephemeral key JSON from `veil keygen`')
    .requiredOption('--group <domain>', 'the group (email domain) your membership proves')
    .option('--internal', 'post to the members-only board of the group')
    .requiredOption('--text <text>', 'the post text (1-2,000 Unicode code points)')
    .action(
      action(async (o: { server: string; key: string; group: string; internal?: boolean; text: string }) => {
        const key = readKeyFile(o.key);
        const message: Post = { v: 1, id: generateMessageId(), group: o.group, internal: o.internal === true, text: o.text, createdAt: Date.now(), epk: key.publicKey };
        const signature = signPayload(encodePost(message), key.secretKey);
        await api(serverUrl(o.server), 'POST', '/api/messages', { body: { message, signature } });
        process.stdout.write(`${message.id}\n`);
      }),
    );

  program
    .command('read')
    .description('read the feed (JSON); --internal reads the members-only board with a signed request')
    .requiredOption('--server <url>', 'board server')
    .option('--group <domain>', 'only this group')
    .option('--internal', 'the members-only board of --group (needs --key)')
    .option('--key <file>', 'ephemeral key JSON (member of --group)')
    .option('--limit <n>', 'page size (1-100)', '20')
    .option('--cursor <c>', 'cursor from a previous page')
    .action(
      action(async (o: { server: string; group?: string; internal?: boolean; key?: string; limit: string; cursor?: string }) => {
        if (o.internal && (!o.group || !o.key)) throw new UsageError('--internal needs --group and --key');
        const q = new URLSearchParams();
        if (o.group) q.set('group', o.group);
        if (o.internal) q.set('internal', 'true');
        q.set('limit', o.limit);
        if (o.cursor) q.set('cursor', o.cursor);
        const sign = o.internal ? readKeyFile(o.key!) : undefined;
        print(await api<FeedResponse>(serverUrl(o.server), 'GET', `/api/messages?${q}`, sign ? { sign } : {}));
      }),
    );

  program
    .command('like')
    .description('like (or --unlike) a post, signed with your ephemeral key')
    .requiredOption('--server <url>', 'board server')
    .requiredOption('--key <file>', 'ephemeral key JSON')
    .option('--unlike', 'withdraw the like')
    .argument('<id>', 'post id')
    .action(
      action(async (id: string, o: { server: string; key: string; unlike?: boolean }) => {
        if (!/^[0-9a-f]{32}$/.test(id)) throw new UsageError(`${id}: not a post id (32 hex characters)`);
        const key = readKeyFile(o.key);
        const like: Like = { v: 1, messageId: id, action: o.unlike ? 'unlike' : 'like', createdAt: Date.now(), epk: key.publicKey };
        const signature = signPayload(encodeLike(like), key.secretKey);
        print(await api<LikeResponse>(serverUrl(o.server), 'POST', '/api/likes', { body: { like, signature } }));
      }),
    );

  program
    .command('verify-message')
    .description('re-verify a post locally: signature, membership proof, issuer key (exit 0 valid, 1 invalid)')
    .requiredOption('--server <url>', 'board server')
    .option('--key <file>', 'ephemeral key JSON, to fetch a members-only post')
    .option('--allow-test-crs', 'accept proofs made with the INSECURE test CRS (development; default only with VEIL_CRS=test)')
    .argument('<id>', 'post id')
    .action(
      action(async (id: string, o: { server: string; key?: string; allowTestCrs?: boolean }) => {
        if (!/^[0-9a-f]{32}$/.test(id)) throw new UsageError(`${id}: not a post id (32 hex characters)`);
        const server = serverUrl(o.server);
        const sign = o.key ? readKeyFile(o.key) : undefined;
        let d: MessageDetail;
        try {
          d = await api<MessageDetail>(server, 'GET', `/api/messages/${id}`, sign ? { sign } : {});
        } catch (e) {
          // Not a key-signed post: maybe one made in a person group with a group proof.
          if (!isVeilError(e, 'ERR_NOT_FOUND')) throw e;
          print(await verifyGroupPost(server, id, o));
          return;
        }
        const m = d.message;
        const claims = d.membership.bundle.claims;
        if (m.id !== id) throw new VeilError('ERR_MESSAGE_MISMATCH', 'the server returned another message');
        // 1. the post is signed by its ephemeral key over every field
        verifySignature(encodePost(m), d.signature, m.epk);
        // 2. the membership names that key and that group, and covered the time of posting
        if (claims.epk !== m.epk) throw new VeilError('ERR_MEMBERSHIP_MISMATCH', 'the membership proof is for another key');
        if (claims.domain !== m.group) throw new VeilError('ERR_MEMBERSHIP_MISMATCH', `the membership proves ${claims.domain}, the post claims ${m.group}`);
        if (m.createdAt > claims.expiry * 1000) throw new VeilError('ERR_MEMBERSHIP_EXPIRED', 'the post was made after the membership expired');
        // 3. the issuer key: the one in the server's registry, and — when reachable — the issuer's own JWKS
        const k = d.issuerKey;
        if (k.iss !== claims.iss || k.kid !== claims.kid) throw new VeilError('ERR_ISSUER_KEY_MISMATCH', 'the issuer key returned is not the one the proof names');
        const registry = await api<KeysResponse>(server, 'GET', `/api/keys?iss=${encodeURIComponent(claims.iss)}`);
        const reg = registry.keys.find((x) => x.kid === claims.kid);
        if (!reg || reg.jwk.n !== k.jwk.n || reg.jwk.e !== k.jwk.e) throw new VeilError('ERR_ISSUER_KEY_MISMATCH', 'the key differs from the server registry');
        const issuerJwks = await fetchIssuerJwks(claims.iss);
        let issuerCheck: string;
        if (issuerJwks === null) issuerCheck = 'issuer unreachable: registry key used';
        else {
          const live = issuerJwks.find((x) => x.kid === claims.kid);
          if (live && (live.n !== k.jwk.n || live.e !== k.jwk.e)) throw new VeilError('ERR_ISSUER_KEY_MISMATCH', 'the issuer publishes a different key under this kid');
          issuerCheck = live ? 'key published by the issuer' : 'key no longer published by the issuer (rotated): registry key used';
        }
        // 4. the proof, against that key, this server's accepted issuer/audience, at the time of posting
        const config = await api<ConfigResponse>(server, 'GET', '/api/config');
        const issuer = config.issuers.find((i) => i.iss === claims.iss);
        if (!issuer) throw new VeilError('ERR_ISSUER_UNKNOWN', `${claims.iss} is not an issuer of this server`);
        const { verify } = await import('@veil/prover');
        const verified = await verify(d.membership.bundle, { keys: [k.jwk] }, {
          iss: issuer.iss, aud: issuer.aud, domain: m.group, now: Math.floor(m.createdAt / 1000) - 1,
          ...(o.allowTestCrs ? { allowTestCrs: true } : {}),
        });
        print({ valid: true, id: m.id, group: verified.domain, iss: verified.iss, kid: verified.kid, crs: verified.crs.kind, issuerKey: issuerCheck });
      }),
    );
}

/** The issuer's published keys via OIDC discovery, or null when it cannot be reached. */
async function fetchIssuerJwks(iss: string): Promise<Array<{ kid?: string; n?: string; e?: string }> | null> {
  try {
    const disc = (await (await fetch(`${iss.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) })).json()) as { jwks_uri?: string };
    if (typeof disc.jwks_uri !== 'string') return null;
    const jwks = (await (await fetch(disc.jwks_uri, { signal: AbortSignal.timeout(5000) })).json()) as { keys?: unknown };
    return Array.isArray(jwks.keys) ? (jwks.keys as Array<{ kid?: string; n?: string; e?: string }>) : null;
  } catch {
    return null;
  }
}
