/**
 * Wire schemas of the board API (TypeBox), shared by the server routes, the web app and the CLI.
 * Browser-safe: no Node-only imports here. Every route validates its body/params/query against
 * these and serialises its response through them (unknown fields never leak).
 *
 * Conventions: keys and signatures are lowercase hex; times in posts/likes/requests are integer
 * milliseconds since the Unix epoch; membership `expiry` is integer Unix SECONDS (as in the proof).
 */
import { Type, type Static } from '@sinclair/typebox';
import { MembershipBundleSchema } from '@veil/prover/bundle';
import { VARIANTS } from '@veil/crypto/inspect-token';
import { GroupProofSchema } from '@veil/prover/group-bundle';

export const Hex32 = Type.String({ pattern: '^[0-9a-f]{64}$', description: '32 bytes, lowercase hex' });
export const MessageIdSchema = Type.String({ pattern: '^[0-9a-f]{32}$', description: '16 random bytes, lowercase hex' });
export const SignatureSchema = Type.String({ pattern: '^[0-9a-f]{128}$', description: 'Ed25519 signature, lowercase hex' });
/** A group: a lower-case DNS name (oidc email domain, Google Workspace hd) or an Entra tenant id (a lower-case GUID). */
export const GroupSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
});
export const Millis = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** Maximum post length in Unicode code points (not UTF-16 units, not bytes). */
export const MAX_TEXT_CODE_POINTS = 2000;
/** Accepted clock difference for createdAt/timestamp, in milliseconds (±5 min). */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Longest accepted membership lifetime from now, seconds (14 days). */
export const MAX_MEMBERSHIP_SECONDS = 14 * 24 * 3600;

export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type ErrorResponse = Static<typeof ErrorResponse>;

// ---- membership proof bundle: defined once by @veil/prover (produced by `prove`, checked by `verify`) ----
export const BundleSchema = MembershipBundleSchema;
export type Bundle = Static<typeof BundleSchema>;

export const MembershipSchema = Type.Object({
  epk: Hex32,
  group: Type.String(),
  iss: Type.String(),
  kid: Type.String(),
  /** Unix seconds. */
  expiry: Type.Integer(),
  circuitId: Type.String(),
  /** Milliseconds since the Unix epoch. */
  createdAt: Millis,
});
export type Membership = Static<typeof MembershipSchema>;

export const MembershipWithBundleSchema = Type.Composite([MembershipSchema, Type.Object({ bundle: BundleSchema })]);
export type MembershipWithBundle = Static<typeof MembershipWithBundleSchema>;

// ---- posts ----
export const PostSchema = Type.Object(
  {
    v: Type.Literal(1),
    id: MessageIdSchema,
    group: GroupSchema,
    internal: Type.Boolean(),
    /** 1–2,000 Unicode code points (checked by the server; maxLength here bounds UTF-16 units). */
    text: Type.String({ minLength: 1, maxLength: MAX_TEXT_CODE_POINTS * 2 }),
    createdAt: Millis,
    epk: Hex32,
  },
  { additionalProperties: false },
);
export type PostWire = Static<typeof PostSchema>;

export const CreateMessageBody = Type.Object({ message: PostSchema, signature: SignatureSchema }, { additionalProperties: false });
export type CreateMessageBody = Static<typeof CreateMessageBody>;

export const FeedItemSchema = Type.Object({
  message: PostSchema,
  signature: SignatureSchema,
  likes: Type.Integer({ minimum: 0 }),
  /** Server receive time, ms. */
  receivedAt: Millis,
});
export type FeedItem = Static<typeof FeedItemSchema>;

export const FeedQuery = Type.Object(
  {
    group: Type.Optional(GroupSchema),
    /** true: the members-only board of `group` (requires a request signed by a current member). */
    internal: Type.Optional(Type.Boolean()),
    cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type FeedQuery = Static<typeof FeedQuery>;

export const FeedResponse = Type.Object({
  messages: Type.Array(FeedItemSchema),
  /** Opaque; pass back as `cursor` for the next (older) page. null at the end. */
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type FeedResponse = Static<typeof FeedResponse>;

export const MessageParams = Type.Object({ id: MessageIdSchema }, { additionalProperties: false });

export const JwkSchema = Type.Object(
  { kty: Type.String(), kid: Type.Optional(Type.String()), n: Type.Optional(Type.String()), e: Type.Optional(Type.String()), alg: Type.Optional(Type.String()), use: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const IssuerKeySchema = Type.Object({
  iss: Type.String(),
  kid: Type.String(),
  jwk: JwkSchema,
  /** ms since epoch: when this server first / last saw the key in the issuer's JWKS. */
  firstSeen: Millis,
  lastSeen: Millis,
});
export type IssuerKey = Static<typeof IssuerKeySchema>;

/**
 * A notarised observation of an issuer key (format and checks: @veil/crypto/key-observation). The
 * board checks the signature and that it is of the key it holds; verifiers judge the evidence.
 */
export const KeyObservationSchema = Type.Object({
  v: Type.Literal(1),
  type: Type.Literal('veil-issuer-key-observation'),
  iss: Type.String({ maxLength: 512 }),
  jwks_uri: Type.String({ maxLength: 2048 }),
  kid: Type.String({ maxLength: 256 }),
  n: Type.String({ maxLength: 2048 }),
  e: Type.String({ maxLength: 16 }),
  observed_at: Type.Integer({ minimum: 0 }),
  signer: Type.Object({
    publicKey: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    channelPublicKey: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    evidenceType: Type.Union([Type.Literal('sgx'), Type.Literal('simulation')]),
    evidence: Type.String({ maxLength: Math.ceil((64 * 1024) / 3) * 4 }),
    simulationRoot: Type.Optional(Type.String({ maxLength: 4096 })),
  }, { additionalProperties: false }),
  signature: Type.String({ pattern: '^[0-9a-f]{128}$' }),
}, { additionalProperties: false });
export type KeyObservationWire = Static<typeof KeyObservationSchema>;

/** Everything a reader needs to re-verify one post offline. */
export const MessageDetailResponse = Type.Object({
  message: PostSchema,
  signature: SignatureSchema,
  likes: Type.Integer({ minimum: 0 }),
  receivedAt: Millis,
  membership: MembershipWithBundleSchema,
  issuerKey: IssuerKeySchema,
  /** Notarised observations of that key (for a key the issuer no longer publishes). */
  issuerKeyObservations: Type.Array(KeyObservationSchema),
});
export type MessageDetail = Static<typeof MessageDetailResponse>;

// ---- likes ----
export const LikeSchema = Type.Object(
  {
    v: Type.Literal(1),
    messageId: MessageIdSchema,
    action: Type.Union([Type.Literal('like'), Type.Literal('unlike')]),
    createdAt: Millis,
    epk: Hex32,
  },
  { additionalProperties: false },
);
export type LikeWire = Static<typeof LikeSchema>;
export const LikeBody = Type.Object({ like: LikeSchema, signature: SignatureSchema }, { additionalProperties: false });
export type LikeBody = Static<typeof LikeBody>;
export const LikeResponse = Type.Object({ messageId: MessageIdSchema, liked: Type.Boolean(), likes: Type.Integer({ minimum: 0 }) });
export type LikeResponse = Static<typeof LikeResponse>;

// ---- issuer key registry ----
export const KeysQuery = Type.Object({ iss: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: false });
/**
 * Key material the issuer published under a kid already bound to another key. The bound key stays
 * the only one used; a conflict means the issuer (or someone between it and this server) misbehaved.
 */
export const IssuerKeyConflictSchema = Type.Object({
  iss: Type.String(),
  kid: Type.String(),
  jwk: JwkSchema,
  /** ms since epoch: when this server first / last saw this other key under the kid. */
  firstSeen: Millis,
  lastSeen: Millis,
});
export type IssuerKeyConflict = Static<typeof IssuerKeyConflictSchema>;
export const KeysResponse = Type.Object({ keys: Type.Array(IssuerKeySchema), conflicts: Type.Array(IssuerKeyConflictSchema), observations: Type.Array(KeyObservationSchema) });
export type KeysResponse = Static<typeof KeysResponse>;

// ---- organisations (groups by email domain) ----
export const OrgSchema = Type.Object({
  /** The group: an email domain. */
  domain: Type.String(),
  /** Keys whose membership is valid now: the anonymity set of a new post (one person may hold several). */
  activeKeys: Type.Integer({ minimum: 0 }),
  /** Keys ever registered for the group. */
  keys: Type.Integer({ minimum: 0 }),
  publicPosts: Type.Integer({ minimum: 0 }),
  /** Unix ms of the newest public post, or null. */
  lastPostAt: Type.Union([Type.Number(), Type.Null()]),
});
export const OrgsResponse = Type.Object({ orgs: Type.Array(OrgSchema) });
export type OrgsResponse = Static<typeof OrgsResponse>;

// ---- config ----
export const IssuerInfoSchema = Type.Object({
  /** Stable id used by the web app (e.g. "dev", "google"). */
  id: Type.String(),
  kind: Type.Union([Type.Literal('google'), Type.Literal('microsoft'), Type.Literal('oidc'), Type.Literal('dev')]),
  iss: Type.String(),
  /** The OIDC client_id; equals the ID token's `aud`. */
  aud: Type.String(),
  /** The statement its memberships prove (picks the circuit): google (Workspace hd), entra (tenant), oidc (email domain). */
  variant: Type.Union(VARIANTS.map((v) => Type.Literal(v))),
  /** Whether this server has an accepted circuit for that statement (false: sign-in is not possible yet). */
  provable: Type.Boolean(),
  /** Microsoft multi-tenant: the admitted tenant ids (absent: every organisation tenant). */
  tenants: Type.Optional(Type.Array(Type.String())),
  /** Microsoft: the email domains a membership must bind (through xms_edov); absent: the tenant alone. */
  emailDomains: Type.Optional(Type.Array(Type.String())),
  /** Where the browser sends the authorization request (implicit flow, response_type=id_token). */
  authorizationEndpoint: Type.Union([Type.String(), Type.Null()]),
  label: Type.String(),
  /** Whether the server could load this issuer's signing keys (`unavailable`: sign-ins with it are refused). */
  keys: Type.Optional(Type.Object({
    state: Type.Union([Type.Literal('loaded'), Type.Literal('pending'), Type.Literal('unavailable')]),
    /** Unix ms of the last attempt, or null before the first. */
    checkedAt: Type.Union([Type.Number(), Type.Null()]),
    /** Why the last attempt failed (one line). */
    error: Type.Optional(Type.String()),
  })),
});
export type IssuerInfo = Static<typeof IssuerInfoSchema>;

export const ConfigResponse = Type.Object({
  profile: Type.Union([Type.Literal('development'), Type.Literal('production')]),
  issuers: Type.Array(IssuerInfoSchema),
  /** Circuit ids the server accepts in membership bundles. */
  circuits: Type.Array(Type.String()),
  crs: Type.Object({ kind: Type.String() }),
  /** Base URL of the prover artifacts (circuit, verification key, test CRS). */
  artifacts: Type.String(),
  /** The attested identity service running beside the board, if any (simulation = development only). */
  enclave: Type.Optional(
    Type.Union([
      Type.Null(),
      Type.Object({ url: Type.String(), type: Type.String(), simulated: Type.Boolean(), measurement: Type.String(), channelPublicKey: Type.String() }),
    ]),
  ),
  /** The development data provider (HTTPS on loopback, its own CA), development profile only. */
  devRegistry: Type.Optional(Type.Union([Type.Null(), Type.Object({ name: Type.String(), url: Type.String(), caPem: Type.String() })])),
  /** Enrollment at the identity service: providers on offer and the UID nodes it uses. */
  identity: Type.Optional(Type.Union([Type.Null(), Type.Object({
    providers: Type.Array(Type.String()),
    uidNodes: Type.Array(Type.Object({ name: Type.String(), url: Type.String(), measurement: Type.Optional(Type.String()) })),
  })])),
  limits: Type.Object({
    maxTextCodePoints: Type.Integer(),
    clockSkewMs: Type.Integer(),
    maxMembershipSeconds: Type.Integer(),
  }),
});
export type ConfigResponse = Static<typeof ConfigResponse>;

/** Header names of a signed request (see @veil/crypto encodeRequest). */
export const SIGNED_REQUEST_HEADERS = { epk: 'x-veil-epk', timestamp: 'x-veil-timestamp', signature: 'x-veil-signature' } as const;

// ---- group trees (one-person groups, issue 9) ----
/** A person group: `human`, `age:18+`, `country:FR`, `member:acme.test`. */
export const GroupIdSchema = Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z][a-z0-9-]*(:[A-Za-z0-9][A-Za-z0-9.+-]*)?$' });
export const GroupParams = Type.Object({ id: GroupIdSchema }, { additionalProperties: false });
export { GroupProofSchema };

export const GroupUpdateSchema = Type.Object(
  {
    v: Type.Literal(1),
    seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    group: GroupIdSchema,
    action: Type.Union([Type.Literal('insert'), Type.Literal('remove')]),
    index: Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 }),
    commitment: Hex32,
    createdAt: Millis,
  },
  { additionalProperties: false },
);
export type GroupUpdateWire = Static<typeof GroupUpdateSchema>;
export const GroupUpdateBody = Type.Object({ update: GroupUpdateSchema, signature: SignatureSchema }, { additionalProperties: false });
export type GroupUpdateBody = Static<typeof GroupUpdateBody>;

export const GroupInfoSchema = Type.Object({
  id: GroupIdSchema,
  /** Leaves ever inserted (removed ones stay as 0). */
  leaves: Type.Integer({ minimum: 0 }),
  /** Members not removed: the anonymity set. */
  size: Type.Integer({ minimum: 0 }),
  root: Hex32,
  /** ms: when the current root became current. */
  updatedAt: Millis,
});
export type GroupInfo = Static<typeof GroupInfoSchema>;
export const GroupUpdateResponse = Type.Object({ group: GroupIdSchema, seq: Type.Integer(), leafIndex: Type.Integer(), leaves: Type.Integer(), size: Type.Integer(), root: Hex32 });
export const GroupsResponse = Type.Object({
  /** The registrar's Ed25519 key that signs every update (null: none configured). */
  registrar: Type.Union([Hex32, Type.Null()]),
  /** Superseded roots are accepted for this long (none from before the group's last removal). */
  rootWindowSeconds: Type.Integer({ minimum: 0 }),
  groups: Type.Array(GroupInfoSchema),
});
export type GroupsResponse = Static<typeof GroupsResponse>;

export const GroupLogEntrySchema = Type.Object({
  pos: Type.Integer({ minimum: 0 }),
  update: GroupUpdateSchema,
  signature: SignatureSchema,
  /** The root after this update. */
  root: Hex32,
  /** ms: when the board applied it (when `root` became current). */
  receivedAt: Millis,
});
export type GroupLogEntryWire = Static<typeof GroupLogEntrySchema>;
export const GroupLeavesQuery = Type.Object(
  { since: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
  { additionalProperties: false },
);
export const GroupLeavesResponse = Type.Object({
  group: GroupIdSchema,
  leaves: Type.Integer({ minimum: 0 }),
  size: Type.Integer({ minimum: 0 }),
  root: Hex32,
  /** The signed updates with pos >= since, in order: apply them to rebuild the tree and every root. */
  entries: Type.Array(GroupLogEntrySchema),
  /** Pass as `since` for the rest of the log; null at the end. */
  next: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
});
export type GroupLeavesResponse = Static<typeof GroupLeavesResponse>;

export const GroupPostSchema = Type.Object(
  { v: Type.Literal(1), id: MessageIdSchema, group: GroupIdSchema, text: Type.String({ minLength: 1, maxLength: MAX_TEXT_CODE_POINTS * 2 }), createdAt: Millis },
  { additionalProperties: false },
);
export type GroupPostWire = Static<typeof GroupPostSchema>;
export const GroupPostBody = Type.Object({ post: GroupPostSchema, proof: GroupProofSchema }, { additionalProperties: false });
export type GroupPostBody = Static<typeof GroupPostBody>;
export const GroupPostItemSchema = Type.Object({ post: GroupPostSchema, proof: GroupProofSchema, likes: Type.Integer({ minimum: 0 }), receivedAt: Millis });
export type GroupPostItem = Static<typeof GroupPostItemSchema>;
export const GroupPostsQuery = Type.Object(
  { cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
  { additionalProperties: false },
);
export const GroupPostsResponse = Type.Object({ posts: Type.Array(GroupPostItemSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const GroupLikeSchema = Type.Object({ v: Type.Literal(1), messageId: MessageIdSchema, createdAt: Millis }, { additionalProperties: false });
export const GroupLikeBody = Type.Object({ like: GroupLikeSchema, proof: GroupProofSchema }, { additionalProperties: false });
export type GroupLikeBody = Static<typeof GroupLikeBody>;
export const GroupLikeResponse = Type.Object({ messageId: MessageIdSchema, likes: Type.Integer({ minimum: 0 }) });

export const MAX_POLL_OPTIONS = 16;
export const PollSchema = Type.Object(
  {
    v: Type.Literal(1),
    id: MessageIdSchema,
    group: GroupIdSchema,
    question: Type.String({ minLength: 1, maxLength: 500 }),
    options: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 2, maxItems: MAX_POLL_OPTIONS }),
    closesAt: Type.Union([Millis, Type.Null()]),
    allowChange: Type.Boolean(),
    createdAt: Millis,
  },
  { additionalProperties: false },
);
export type PollWire = Static<typeof PollSchema>;
export const CreatePollBody = Type.Object({ poll: PollSchema, proof: GroupProofSchema }, { additionalProperties: false });
export type CreatePollBody = Static<typeof CreatePollBody>;
export const VoteSchema = Type.Object(
  { v: Type.Literal(1), pollId: MessageIdSchema, option: Type.Integer({ minimum: 0, maximum: MAX_POLL_OPTIONS - 1 }), createdAt: Millis },
  { additionalProperties: false },
);
export type VoteWire = Static<typeof VoteSchema>;
export const VoteBody = Type.Object({ vote: VoteSchema, proof: GroupProofSchema }, { additionalProperties: false });
export type VoteBody = Static<typeof VoteBody>;
export const VoteResponse = Type.Object({ pollId: MessageIdSchema, option: Type.Integer(), status: Type.Union([Type.Literal('created'), Type.Literal('changed')]) });
/** A poll with everything needed to re-check its tally: the creator's proof and every counted vote with its proof. */
export const PollResponse = Type.Object({
  poll: PollSchema,
  proof: GroupProofSchema,
  receivedAt: Millis,
  /** Votes per option, in option order. */
  tally: Type.Array(Type.Integer({ minimum: 0 })),
  /** Distinct people who voted (distinct nullifiers). */
  voters: Type.Integer({ minimum: 0 }),
  votes: Type.Array(Type.Object({ vote: VoteSchema, proof: GroupProofSchema, receivedAt: Millis })),
});
export type PollResponse = Static<typeof PollResponse>;
/** GET /api/groups/:id/polls: the group's polls, newest first, with the creator's proof (re-checkable) and the number of voters. */
export const GroupPollsResponse = Type.Object({
  polls: Type.Array(Type.Object({ poll: PollSchema, proof: GroupProofSchema, receivedAt: Millis, voters: Type.Integer({ minimum: 0 }) })),
});
export type GroupPollsResponse = Static<typeof GroupPollsResponse>;
