/**
 * Per-component gate counts of each membership variant: `npx tsx circuits/scripts/components.ts
 * [variant ...]` (default: every variant below), printed as JSON lines. Called by `npm run bench:prove`.
 *
 * Method: the statement is rebuilt in stages from the same library calls as the variant's crate, one
 * component added per stage in the order below, each stage compiled with noir_wasm and sized with
 * bb.js (`circuitSizes`, as gates.ts); a component's figure is its stage's total minus the previous
 * stage's. The last stage is the whole statement and must equal the manifest's recorded gate count,
 * or the script fails (the stages drifted from the crate). SHA-256 comes last: alone it reports its
 * lookup tables (~36k rows) rather than its gates, so every earlier stage is gate-side and the deltas
 * add up. Until SHA-256 is added RSA checks a free `digest` input. Values a stage computes but no
 * check reads yet may be optimised away and then count under the stage that first reads them.
 *
 * Adding a variant: a `STAGES` entry whose last stage equals its crate's main; a variant without one
 * is reported by bench:prove with its total only. "inputs" is main's parameters alone (the range
 * checks of the u8 data and the public inputs); "base64" and "header" are the two halves of
 * veil_jwt::header::payload_after_public_header (the decoder, then the public tail compared using
 * the decoder's window mask).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile_program, createFileManager } from '@noir-lang/noir_wasm';
import { CIRCUITS_DIR, readManifest } from './build.ts';
import { circuitSizes } from './gates.ts';

/** The components, in the order they are added. */
export const COMPONENTS = ['inputs', 'base64', 'header', 'JSON scan', 'claims', 'nonce', 'RSA', 'SHA-256'] as const;
type Component = (typeof COMPONENTS)[number];

const PUBLIC = `modulus: pub [Field; 18], iss: pub [Field; STRING_FIELDS], iss_len: pub u32, aud: pub [Field; STRING_FIELDS], aud_len: pub u32,
    domain: pub [Field; DOMAIN_FIELDS], domain_len: pub u32, epk_hi: pub Field, epk_lo: pub Field, expiry: pub u64,
    header_state: pub [u32; 8], header_prefix_len: pub u32, header_tail: pub [Field; HEADER_TAIL_FIELDS], header_tail_len: pub u32,
    data: [u8; DATA_BYTES], data_len: u32, signature: [Field; 18], salt: Field`;

// veil_jwt::header::payload_after_public_header, split into its decoder and its tail check.
const COMMON: Record<Exclude<Component, 'inputs' | 'claims'>, string> = {
  base64: `assert(header_tail_len + 1 <= data_len, "payload: starts after the data");
    let (payload, window): ([u8; PAYLOAD_BYTES], [Field; DATA_BYTES]) = base64::decode_base64url_window_masked(data, header_tail_len + 1, data_len, 46);`,
  header: 'header::assert_public_tail(data, window, header_tail);',
  'JSON scan': 'let s = json::scan(payload);',
  nonce: `epk_hi.assert_max_bit_size::<128>();
    epk_lo.assert_max_bit_size::<128>();
    let h = poseidon2::hash([epk_hi, epk_lo, salt, expiry as Field]);
    s.assert_key("nonce".as_bytes(), pos.nonce_key, pos.nonce_val);
    s.assert_string_value(pos.nonce_val, pack::to_hex(h), 64, 64);`,
  RSA: 'veil_rsa::verify_rs256(digest, signature, modulus);',
  'SHA-256': 'let digest = veil_sha256::sha256_var_from_state(header_state, data, data_len, header_prefix_len);',
};

const ISS_AUD = `let iss_all: [u8; 31 * STRING_FIELDS] = pack::unpack(iss);
    s.assert_key("iss".as_bytes(), pos.iss_key, pos.iss_val);
    s.assert_string_value(pos.iss_val, iss_all, iss_len, ISS_BYTES);
    let aud_all: [u8; 31 * STRING_FIELDS] = pack::unpack(aud);
    s.assert_key("aud".as_bytes(), pos.aud_key, pos.aud_val);
    s.assert_string_value(pos.aud_val, aud_all, aud_len, AUD_BYTES);`;
const IAT = `s.assert_key("iat".as_bytes(), pos.iat_key, pos.iat_val);
    let iat = s.parse_uint::<IAT_DIGITS>(pos.iat_val, pos.iat_len);
    assert(expiry <= iat + EXPIRY_WINDOW, "expiry later than iat + 14 days");`;

interface VariantStages {
  /** Manifest circuit name (its recorded `gates.total` is the check). */
  circuit: string;
  /** The positions struct type (the crate's own, or veil_jwt's `Positions`). */
  positions: string;
  /** Items before `fn main` (imports, the positions struct). */
  head: string;
  claims: string;
  /** main's parameters before `positions` (default: the 50 public inputs of oidc / google and their witness). */
  params?: string;
}

const USE = `use veil_jwt::{base64, header, json, pack, poseidon2};
use veil_jwt::claims::{AUD_BYTES, DATA_BYTES, DOMAIN_BYTES, DOMAIN_FIELDS, EMAIL_BYTES, EXPIRY_WINDOW, IAT_DIGITS, ISS_BYTES, PAYLOAD_BYTES, Positions, STRING_FIELDS};
use veil_jwt::header::HEADER_TAIL_FIELDS;`;

export const STAGES: Record<string, VariantStages> = {
  oidc: {
    circuit: 'membership',
    positions: 'Positions',
    head: USE,
    claims: `${ISS_AUD}
    s.assert_key("email_verified".as_bytes(), pos.verified_key, pos.verified_val);
    s.assert_true(pos.verified_val);
    let domain_all: [u8; 31 * DOMAIN_FIELDS] = pack::unpack(domain);
    s.assert_key("email".as_bytes(), pos.email_key, pos.email_val);
    s.assert_email_domain::<EMAIL_BYTES - 2, 31 * DOMAIN_FIELDS>(pos.email_val, pos.email_at, domain_all, domain_len, DOMAIN_BYTES);
    assert(pos.email_at - pos.email_val + domain_len <= EMAIL_BYTES, "email: address too long");
    ${IAT}`,
  },
  google: {
    circuit: 'membership-google',
    positions: 'GooglePositions',
    head: `${USE}
pub struct GooglePositions { pub iss_key: u32, pub iss_val: u32, pub aud_key: u32, pub aud_val: u32, pub hd_key: u32,
    pub hd_val: u32, pub verified_key: u32, pub verified_val: u32, pub nonce_key: u32, pub nonce_val: u32, pub iat_key: u32, pub iat_val: u32, pub iat_len: u32 }`,
    claims: `${ISS_AUD}
    s.assert_key("email_verified".as_bytes(), pos.verified_key, pos.verified_val);
    s.assert_true(pos.verified_val);
    assert(domain_len != 0, "hd: empty domain");
    let domain_all: [u8; 31 * DOMAIN_FIELDS] = pack::unpack(domain);
    s.assert_key("hd".as_bytes(), pos.hd_key, pos.hd_val);
    s.assert_string_value(pos.hd_val, domain_all, domain_len, DOMAIN_BYTES);
    ${IAT}`,
  },
  entra: {
    circuit: 'membership-entra',
    positions: 'EntraPositions',
    head: `${USE}
global CONSUMER_TENANT: str<36> = "9188040d-6c67-4c5b-b112-36a304b66dad";
unconstrained fn is_letter(b: u8) -> Field { (b >= 97) as Field }
fn assert_lower_hex(b: u8) {
    let d = unsafe { is_letter(b) };
    assert(d * (1 - d) == 0);
    let u = b as Field - 48 - 49 * d;
    u.assert_max_bit_size::<4>();
    (u + 6 + 4 * d).assert_max_bit_size::<4>();
}
pub struct EntraPositions { pub iss_key: u32, pub iss_val: u32, pub aud_key: u32, pub aud_val: u32, pub ver_key: u32, pub ver_val: u32,
    pub tid_key: u32, pub tid_val: u32, pub email_key: u32, pub email_val: u32, pub email_at: u32, pub edov_key: u32, pub edov_val: u32,
    pub nonce_key: u32, pub nonce_val: u32, pub iat_key: u32, pub iat_val: u32, pub iat_len: u32 }`,
    params: `modulus: pub [Field; 18], aud: pub [Field; STRING_FIELDS], aud_len: pub u32, tenant: pub [Field; 2],
    email_domain: pub [Field; DOMAIN_FIELDS], email_domain_len: pub u32, epk_hi: pub Field, epk_lo: pub Field, expiry: pub u64,
    header_state: pub [u32; 8], header_prefix_len: pub u32, header_tail: pub [Field; HEADER_TAIL_FIELDS], header_tail_len: pub u32,
    data: [u8; DATA_BYTES], data_len: u32, signature: [Field; 18], salt: Field`,
    claims: `let tid: [u8; 62] = pack::unpack(tenant);
    let consumer = CONSUMER_TENANT.as_bytes();
    let mut same: Field = 1;
    for j in 0..36 {
        let b = tid[j];
        if (j == 8) | (j == 13) | (j == 18) | (j == 23) { assert(b == 45, "tid: not a GUID"); } else { assert_lower_hex(b); }
        same *= (b == consumer[j]) as Field;
    }
    assert(same == 0, "tid: Microsoft's personal-accounts tenant is not an organisation");
    s.assert_key("tid".as_bytes(), pos.tid_key, pos.tid_val);
    s.assert_string_value(pos.tid_val, tid, 36, 36);
    let mut want_iss = [0 as u8; 75];
    let prefix = "https://login.microsoftonline.com/".as_bytes();
    let suffix = "/v2.0".as_bytes();
    for j in 0..34 { want_iss[j] = prefix[j]; }
    for j in 0..36 { want_iss[34 + j] = tid[j]; }
    for j in 0..5 { want_iss[70 + j] = suffix[j]; }
    s.assert_key("iss".as_bytes(), pos.iss_key, pos.iss_val);
    s.assert_string_value(pos.iss_val, want_iss, 75, 75);
    s.assert_key("ver".as_bytes(), pos.ver_key, pos.ver_val);
    s.assert_string_value(pos.ver_val, "2.0".as_bytes(), 3, 3);
    let aud_all: [u8; 31 * STRING_FIELDS] = pack::unpack(aud);
    s.assert_key("aud".as_bytes(), pos.aud_key, pos.aud_val);
    s.assert_string_value(pos.aud_val, aud_all, aud_len, AUD_BYTES);
    let domain_all: [u8; 31 * DOMAIN_FIELDS] = pack::unpack(email_domain);
    if email_domain_len != 0 {
        s.assert_key("xms_edov".as_bytes(), pos.edov_key, pos.edov_val);
        s.assert_true_or_one(pos.edov_val);
        s.assert_key("email".as_bytes(), pos.email_key, pos.email_val);
        s.assert_email_domain::<EMAIL_BYTES - 2, 31 * DOMAIN_FIELDS>(pos.email_val, pos.email_at, domain_all, email_domain_len, DOMAIN_BYTES);
        assert(pos.email_at - pos.email_val + email_domain_len <= EMAIL_BYTES, "email: address too long");
    } else {
        for j in 0..DOMAIN_FIELDS { assert(email_domain[j] == 0, "email: non-zero padding"); }
    }
    ${IAT}`,
  },
};

function stageSource(v: VariantStages, upto: number): string {
  const parts = COMPONENTS.slice(0, upto + 1);
  const sha = parts.includes('SHA-256');
  const code = (c: Component): string => (c === 'inputs' ? '' : c === 'claims' ? v.claims : COMMON[c]);
  const body = parts
    .filter((c) => c !== 'SHA-256')
    .map(code)
    .join('\n    ');
  return `${v.head}
#[allow(unused_variables)]
fn main(
    ${v.params ?? PUBLIC},
    positions: ${v.positions},${sha ? '' : '\n    digest: [u8; 32],'}
) {
    ${sha ? COMMON['SHA-256'] : ''}
    let pos = positions;
    ${body}
}
`;
}

/** Gate count of each stage of `variant`, and each component's share. */
export async function componentGates(variant: string): Promise<{ variant: string; circuit: string; total: number; dyadic: number; components: Record<Component, number> }> {
  const v = STAGES[variant];
  if (!v) throw new TypeError(`no component stages for variant ${variant}`);
  const dir = join(CIRCUITS_DIR, 'target', 'components', variant);
  const components = {} as Record<Component, number>;
  let previous = 0;
  let last = { total: 0, dyadic: 0 };
  try {
    for (let i = 0; i < COMPONENTS.length; i++) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'src'), { recursive: true });
      writeFileSync(join(dir, 'Nargo.toml'), `[package]\nname = "components_${variant}"\ntype = "bin"\nauthors = ["veil"]\n\n[dependencies]\nveil_jwt = { path = "../../../lib/jwt" }\nveil_sha256 = { path = "../../../lib/sha256" }\nveil_rsa = { path = "../../../lib/rsa" }\n`);
      writeFileSync(join(dir, 'src', 'main.nr'), stageSource(v, i));
      const log = console.log;
      console.log = () => {};
      let program;
      try {
        ({ program } = await compile_program(createFileManager(CIRCUITS_DIR), dir, () => {}, () => {}));
      } finally {
        console.log = log;
      }
      last = await circuitSizes(program.bytecode);
      components[COMPONENTS[i]!] = last.total - previous;
      previous = last.total;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const recorded = (readManifest().circuits.find((c) => c.name === v.circuit && (c.status ?? 'current') === 'current')?.gates as { total?: number } | undefined)?.total;
  if (recorded !== last.total) throw new Error(`${variant}: the stages add up to ${last.total} gates, circuits.json records ${recorded} for ${v.circuit}: update STAGES`);
  return { variant, circuit: v.circuit, total: last.total, dyadic: last.dyadic, components };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  for (const variant of wanted.length ? wanted : Object.keys(STAGES)) console.log(JSON.stringify(await componentGates(variant)));
}
