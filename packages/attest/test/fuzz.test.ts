// Bounded, seeded fuzzing (fast-check) of every parser and verifier: mutated real vectors and random
// bytes either parse or throw a VeilError — never another exception, never a hang (test timeouts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isVeilError } from '@veil/crypto';
import {
  decodeEvidence,
  parseCollateral,
  parseNitroDocument,
  parseQuote,
  parseSevReport,
  verifyNitroDocument,
  verifyQuote,
  verifySevReport,
} from '../src/index.ts';
import { parseCertificate, parseCrl, pemToDer } from '../src/lib/x509.ts';
import { vec, vecText } from './helpers/vectors.ts';

const SEED = 0x5eed;

/** A real vector with up to 8 random edits: byte overwrite, insertion, deletion, truncation. */
function mutated(base: Uint8Array) {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('ins' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('del' as const), at: fc.nat(), v: fc.constant(0) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), v: fc.constant(0) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits) => {
    let b = Array.from(base);
    for (const e of edits) {
      const at = b.length ? e.at % b.length : 0;
      if (e.kind === 'set') b[at] = e.v;
      else if (e.kind === 'ins') b.splice(at, 0, e.v);
      else if (e.kind === 'del') b.splice(at, 1);
      else b = b.slice(0, at);
    }
    return new Uint8Array(b);
  });
}

const input = (base: Uint8Array) => fc.oneof({ weight: 4, arbitrary: mutated(base) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }) });

function onlyVeil(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (!isVeilError(e)) throw e;
  }
}
async function onlyVeilAsync(fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (e) {
    if (!isVeilError(e)) throw e;
  }
}

const PARSERS: Array<[string, Uint8Array, (b: Uint8Array) => unknown]> = [
  ['parseQuote (SGX v3)', vec('sgx/dcap-qvl_sgx_quote.bin'), parseQuote],
  ['parseQuote (OE report)', vec('sgx/oe-remote-report-debug_zkportal-report-verification.bin'), parseQuote],
  ['parseQuote (TDX v4)', vec('tdx/dcap-qvl_tdx_quote.bin'), parseQuote],
  ['parseQuote (TDX v5)', vec('tdx/teekit_tdx-v5-trustee.quote.bin'), parseQuote],
  ['parseNitroDocument', vec('nitro/nitrite_nitro_attestation.cose'), parseNitroDocument],
  ['parseSevReport', vec('sev/teekit_sev-gcp.bin'), parseSevReport],
  ['decodeEvidence', vec('nitro/aleo-oracle_example_btc_usdc_attestation_nitro.json').subarray(0, 4096), decodeEvidence],
  ['parseCertificate', pemToDer(vecText('roots/amd-ark-milan.pem'))[0]!, (b) => parseCertificate(b)],
  ['parseCrl', vec('sgx/intel-synthetic/intermediateCaCrl.der'), (b) => parseCrl(b)],
  ['pemToDer', new TextEncoder().encode(vecText('sgx/intel-synthetic/pckSignChain.pem')), (b) => pemToDer(new TextDecoder().decode(b))],
  ['parseCollateral', new TextEncoder().encode(vecText('sgx/dcap-qvl_sgx_quote_collateral.json').slice(0, 3000)), (b) => parseCollateral(new TextDecoder().decode(b))],
];

for (const [name, base, parse] of PARSERS) {
  test(`fuzz ${name}: only VeilError`, { timeout: 60_000 }, () => {
    fc.assert(fc.property(input(base), (b) => onlyVeil(() => parse(b))), { seed: SEED, numRuns: 400 });
  });
}

test('fuzz verifiers end to end: only VeilError, never accepted', { timeout: 120_000 }, async () => {
  const cases: Array<[Uint8Array, (b: Uint8Array) => Promise<unknown>]> = [
    [vec('tdx/teekit_tdx-v5-trustee.quote.bin'), (b) => verifyQuote(b, { at: new Date('2025-09-01'), allowDebug: true })],
    [vec('nitro/nitrite_nitro_attestation.cose'), (b) => verifyNitroDocument(b, { at: new Date('2024-09-07T14:37:39.545Z'), allowDebug: true })],
    [
      vec('sev/teekit_sev-gcp.bin'),
      (b) =>
        verifySevReport(b, {
          at: new Date('2026-01-01'),
          vcek: vecText('sev/teekit_sev-gcp-vcek.pem'),
          certChain: vecText('sev/teekit_sev-gcp-cert-chain.pem'),
        }),
    ],
  ];
  for (const [base, verify] of cases) {
    await fc.assert(
      fc.asyncProperty(mutated(base), async (b) => {
        if (b.length === base.length && b.every((x, i) => x === base[i])) return; // an identity edit
        // A mutation that only touches unsigned bytes (SNP reserved tail) may verify; anything else must not.
        let ok = false;
        await onlyVeilAsync(async () => {
          await verify(b);
          ok = true;
        });
        if (ok) assert.ok(b.length === base.length && b.subarray(0, 0x2a0 + 144).every((x, i) => x === base[i]), 'mutated evidence accepted');
      }),
      { seed: SEED, numRuns: 150 },
    );
  }
});
