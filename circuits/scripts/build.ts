/**
 * Compiles the bin crates listed in `circuits/circuits.json` with noir_wasm (there is no nargo here)
 * into `circuits/target/<name>.json`, and records each circuit's id in the manifest.
 *
 * Circuit id: sha256 (hex) of the UNCOMPRESSED ACIR program bytes — exactly what bb.js is asked to
 * prove — so recompression cannot change it, while any change to the constraints does.
 * Determinism: noir_wasm output is deterministic for a pinned compiler; the only machine-dependent
 * part, the absolute paths in `file_map`, is rewritten relative to `circuits/` before writing.
 * Caching: a compiled artifact is reused while the sha256 of every Noir source under `circuits/`
 * (`*.nr`, `Nargo.toml`, plus the compiler version) is unchanged; stored as `<name>.meta.json`.
 * Trust: nothing here is security-relevant on its own; the prover loads artifacts with a check that
 * their circuit id equals the one committed in the manifest, so drift or hand edits are caught there.
 *
 * Versions: every released circuit stays in the manifest. The entry being built is `status:
 * "current"` (one per name); a released one replaced by a new build is kept as `status:
 * "accepted-until"` with `acceptedUntil` (ISO 8601) and its verification keys per CRS (`keys`, paths
 * relative to `circuits/`), so bundles proved under it stay verifiable until then. Only current
 * entries are compiled (a retired circuit's sources are gone; its stored keys are what verifies it).
 *
 * Usage: `npm run build:circuits` (compile, write artifacts, record ids in circuits.json; then
 *        `npm run build:keys` recomputes the test-CRS verification keys of changed circuits),
 *        `npm run build:circuits -- --retire-until 2027-06-30` (a changed circuit's previous id is
 *        kept as accepted until that date, its key files renamed to `keys/<name>.<id>.<crs>.json`;
 *        without the flag the previous id is replaced, as during development),
 *        `npm run build:circuits -- --check` (exit 1 if a fresh compile differs from circuits.json).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { compile_program, createFileManager } from '@noir-lang/noir_wasm';

/** `circuits/`: the noir_wasm file-manager root, so crates' path dependencies resolve under it. */
export const CIRCUITS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_PATH = join(CIRCUITS_DIR, 'circuits.json');
export const TARGET_DIR = join(CIRCUITS_DIR, 'target');

/** A compiled Noir program as noir_wasm emits it (the fields noir_js and bb.js use). */
export interface CompiledProgram {
  noir_version: string;
  hash?: unknown;
  abi: { parameters: Array<{ name: string; visibility: string; type: unknown }>; [k: string]: unknown };
  bytecode: string;
  debug_symbols?: unknown;
  file_map?: Record<string, { source: string; path: string }>;
  [k: string]: unknown;
}

/** One entry of `circuits.json`; other fields written by other tools are preserved. */
export interface ManifestCircuit {
  name: string;
  /** Crate directory relative to `circuits/`. */
  path: string;
  /** `membership` (an ID-token statement, proved by `@veil/prover` `prove`) or `group`. */
  kind?: 'membership' | 'group';
  /**
   * Membership circuits: the issuer variant whose statement this circuit proves (`oidc`, `google`,
   * `entra`; `@veil/crypto` `VARIANTS`). One current circuit per variant; bundles record it.
   */
  variant?: string;
  /** Expected circuit id (see header); written by this script. */
  id?: string;
  /** `current` (the one built and proved with; the default) or `accepted-until` (verify only). */
  status?: 'current' | 'accepted-until';
  /** ISO 8601 date-time after which an `accepted-until` circuit is refused. */
  acceptedUntil?: string;
  /** Verification key file per CRS id, relative to `circuits/` (current: `keys/<name>.<crs>.json`, recorded by build:keys). */
  keys?: Record<string, string>;
  /** Membership circuits: the JWS header is a public input (absent: not, the circuits released before it). */
  publicHeader?: boolean;
  [k: string]: unknown;
}
export interface Manifest {
  circuits: ManifestCircuit[];
  [k: string]: unknown;
}

export function readManifest(path = MANIFEST_PATH): Manifest {
  const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  if (!m || !Array.isArray(m.circuits)) throw new TypeError(`${path}: "circuits" must be an array`);
  const current = new Set<string>();
  const variants = new Set<string>();
  for (const c of m.circuits) {
    const status = c.status ?? 'current';
    if (c.variant !== undefined && (typeof c.variant !== 'string' || c.kind !== 'membership')) {
      throw new TypeError(`${path}: circuit "${c.name}": a variant is a string, on "kind": "membership" circuits only`);
    }
    if (c.publicHeader !== undefined && (typeof c.publicHeader !== 'boolean' || c.kind !== 'membership')) {
      throw new TypeError(`${path}: circuit "${c.name}": publicHeader is a boolean, on "kind": "membership" circuits only`);
    }
    if (status === 'current') {
      if (current.has(c.name)) throw new TypeError(`${path}: two current circuits named "${c.name}"`);
      current.add(c.name);
      if (c.variant !== undefined) {
        if (variants.has(c.variant)) throw new TypeError(`${path}: two current circuits for variant "${c.variant}"`);
        variants.add(c.variant);
      }
    } else if (status !== 'accepted-until' || typeof c.acceptedUntil !== 'string' || Number.isNaN(Date.parse(c.acceptedUntil))) {
      throw new TypeError(`${path}: circuit "${c.name}" ${c.id ?? ''}: status must be "current" or "accepted-until" with an ISO date acceptedUntil`);
    }
  }
  return m;
}

/** A circuit verifiers accept: current ones, and retired ones until their `acceptedUntil`. */
export interface AcceptedCircuit {
  name: string;
  id: string;
  /** Membership circuits: the variant whose statement it proves. */
  variant?: string;
  status: 'current' | 'accepted-until';
  acceptedUntil?: string;
  /** Membership circuits: whether the JWS header is a public input. */
  publicHeader?: boolean;
}

/**
 * The manifest's circuits a verifier accepts at `now`: every current one with an id, and every
 * `accepted-until` one whose date has not passed; current ones first.
 */
export function acceptedCircuits(manifest: Manifest, now: Date = new Date()): AcceptedCircuit[] {
  const out: AcceptedCircuit[] = [];
  for (const c of manifest.circuits) {
    if (typeof c.id !== 'string') continue;
    const variant = c.variant !== undefined ? { variant: c.variant, publicHeader: c.publicHeader === true } : {};
    if ((c.status ?? 'current') === 'current') out.push({ name: c.name, id: c.id, ...variant, status: 'current' });
    else if (Date.parse(c.acceptedUntil!) > now.getTime()) out.push({ name: c.name, id: c.id, ...variant, status: 'accepted-until', acceptedUntil: c.acceptedUntil! });
  }
  return out.sort((a, b) => (a.status === b.status ? 0 : a.status === 'current' ? -1 : 1));
}

/** Default verification-key file of a current circuit, relative to `circuits/`. */
export const currentKeyFile = (name: string, crsId: string): string => `keys/${name}.${crsId}.json`;
/** Key file of a retired circuit version, relative to `circuits/`. */
export const retiredKeyFile = (name: string, id: string, crsId: string): string => `keys/${name}.${id}.${crsId}.json`;

/**
 * Records a new build of current circuit `name`: its previous id is kept as `accepted-until`
 * `until` (with key files `retiredKeyFile` for each CRS id in `crsIds`), the current entry gets `id`.
 * Returns the renames the caller applies to key files: [from, to] relative to `circuits/`.
 */
export function retireCurrent(manifest: Manifest, name: string, id: string, until: string, crsIds: string[]): Array<[string, string]> {
  if (Number.isNaN(Date.parse(until))) throw new TypeError(`--retire-until ${until}: not an ISO date`);
  const entry = manifest.circuits.find((c) => c.name === name && (c.status ?? 'current') === 'current');
  if (!entry) throw new TypeError(`no current circuit "${name}"`);
  const renames: Array<[string, string]> = [];
  if (typeof entry.id === 'string' && entry.id !== id) {
    const keys: Record<string, string> = {};
    for (const crs of new Set([...Object.keys(entry.keys ?? {}), ...crsIds])) {
      const from = entry.keys?.[crs] ?? currentKeyFile(name, crs);
      keys[crs] = retiredKeyFile(name, entry.id, crs);
      renames.push([from, keys[crs]]);
    }
    const { keys: _k, ...rest } = entry;
    manifest.circuits.push({ ...rest, status: 'accepted-until', acceptedUntil: new Date(until).toISOString(), keys });
  }
  entry.id = id;
  entry.status = 'current';
  delete entry.keys;
  return renames;
}

/** sha256 (hex) of the uncompressed ACIR bytes of a compiled program: its circuit id. */
export function circuitId(program: Pick<CompiledProgram, 'bytecode'>): string {
  const acir = gunzipSync(Buffer.from(program.bytecode, 'base64'));
  return createHash('sha256').update(acir).digest('hex');
}

/** Compiles the crate at `crateDir` with `root` as file-manager root; file_map paths made relative. */
export async function compileCrate(root: string, crateDir: string): Promise<CompiledProgram> {
  const fm = createFileManager(root);
  const quiet = () => {};
  // noir_wasm also console.logs "Compiling at …" unconditionally; keep stdout for callers' output.
  const log = console.log;
  console.log = quiet;
  let program: Awaited<ReturnType<typeof compile_program>>['program'];
  try {
    ({ program } = await compile_program(fm, resolve(root, crateDir), quiet, quiet));
  } finally {
    console.log = log;
  }
  const out = program as unknown as CompiledProgram;
  if (out.file_map) {
    for (const f of Object.values(out.file_map)) f.path = relative(root, f.path);
  }
  return out;
}

function noirSources(dir: string, root: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'target' || name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) noirSources(p, root, out);
    else if (name.endsWith('.nr') || name === 'Nargo.toml') out.push(relative(root, p));
  }
  return out;
}

function noirWasmVersion(): string {
  for (let dir = CIRCUITS_DIR; ; dir = dirname(dir)) {
    try {
      const pkg = readFileSync(join(dir, 'node_modules/@noir-lang/noir_wasm/package.json'), 'utf8');
      return (JSON.parse(pkg) as { version: string }).version;
    } catch {
      if (dirname(dir) === dir) throw new Error('@noir-lang/noir_wasm is not installed');
    }
  }
}

/** sha256 over every Noir source under `root` (path + contents) and the compiler version. */
export function sourcesHash(root = CIRCUITS_DIR): string {
  const h = createHash('sha256');
  h.update(`noir_wasm ${noirWasmVersion()}\n`);
  for (const rel of noirSources(root, root)) {
    if (rel.startsWith('test/')) continue; // test crates never feed a production circuit
    h.update(`${rel}\n`);
    h.update(readFileSync(join(root, rel)));
    h.update('\n');
  }
  return h.digest('hex');
}

interface Meta {
  sources: string;
  id: string;
}

function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const inflight = new Map<string, Promise<{ program: CompiledProgram; id: string }>>();

/**
 * Returns the compiled artifact of manifest circuit `name`, compiling it first when the cached one
 * in `circuits/target/` is missing or was built from other sources (always with `fresh`). Does not check the id against
 * the manifest (the prover's loader does).
 */
export function ensureCompiled(name: string, opts: { fresh?: boolean } = {}): Promise<{ program: CompiledProgram; id: string }> {
  let p = opts.fresh ? undefined : inflight.get(name);
  if (!p) {
    p = (async () => {
      const entry = readManifest().circuits.find((c) => c.name === name && (c.status ?? 'current') === 'current');
      if (!entry) throw new TypeError(`circuit "${name}" is not in circuits.json`);
      const sources = sourcesHash();
      const artifact = join(TARGET_DIR, `${name}.json`);
      const metaPath = join(TARGET_DIR, `${name}.meta.json`);
      try {
        const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
        if (!opts.fresh && meta.sources === sources) {
          const program = JSON.parse(readFileSync(artifact, 'utf8')) as CompiledProgram;
          if (circuitId(program) === meta.id) return { program, id: meta.id };
        }
      } catch {
        // no usable cache: compile below
      }
      const program = await compileCrate(CIRCUITS_DIR, entry.path);
      const id = circuitId(program);
      mkdirSync(TARGET_DIR, { recursive: true });
      writeAtomic(artifact, JSON.stringify(program));
      writeAtomic(metaPath, JSON.stringify({ sources, id } satisfies Meta));
      return { program, id };
    })();
    inflight.set(name, p);
    p.catch(() => inflight.delete(name));
  }
  return p;
}

/** CRS ids that have a key file for current circuit `name` under `keys/`. */
function keyCrsIds(name: string): string[] {
  const prefix = `${name}.`;
  return readdirSync(join(CIRCUITS_DIR, 'keys'))
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json') && !/^[0-9a-f]{64}\./.test(f.slice(prefix.length)))
    .map((f) => f.slice(prefix.length, -'.json'.length));
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const at = process.argv.indexOf('--retire-until');
  const retireUntil = at >= 0 ? process.argv[at + 1] : undefined;
  if (at >= 0 && (retireUntil === undefined || Number.isNaN(Date.parse(retireUntil)))) throw new TypeError('--retire-until needs an ISO date');
  const manifest = readManifest();
  let drift = false;
  const renames: Array<[string, string]> = [];
  for (const entry of manifest.circuits.filter((c) => (c.status ?? 'current') === 'current')) {
    const t0 = performance.now();
    const { id } = await ensureCompiled(entry.name);
    const ms = Math.round(performance.now() - t0);
    if (entry.id !== id) {
      drift = true;
      console.log(`${entry.name}: ${entry.id ?? '(none)'} -> ${id}${check ? ' (DRIFT)' : ''} [${ms} ms]`);
      if (!check && retireUntil !== undefined) {
        const old = entry.id;
        renames.push(...retireCurrent(manifest, entry.name, id, retireUntil, keyCrsIds(entry.name)));
        console.log(`${entry.name}: ${old} stays accepted until ${retireUntil}`);
      } else if (!check) entry.id = id;
    } else {
      console.log(`${entry.name}: ${id} [${ms} ms]`);
    }
  }
  if (check) {
    if (drift) {
      console.error('circuits.json does not match a fresh compile: run `npm run build:circuits`');
      process.exitCode = 1;
    }
  } else if (drift) {
    for (const [from, to] of renames) renameSync(join(CIRCUITS_DIR, from), join(CIRCUITS_DIR, to));
    writeAtomic(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
    console.log('recorded new circuit ids in circuits.json; now `npm run build:keys` refreshes circuits/keys/ (commit both)');
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
