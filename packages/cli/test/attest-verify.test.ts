// `veil attest verify`: exit 0 with JSON facts when evidence and policy hold, 1 with one line on
// stderr when they do not, 2 on usage errors. Runs the real command on the shared vectors: the
// binary for one case of each exit code, the command's action in this process for the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vecPath as v } from '../../attest/test/helpers/vectors.ts';
import { register as registerAttest } from '../src/commands/attest.ts';
import { veilInProcess } from './veil-in-process.ts';

const BIN = resolve(fileURLToPath(import.meta.url), '..', '..', 'bin', 'veil.mjs');

function spawned(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'attest', 'verify', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const veil = (...args: string[]) => veilInProcess(registerAttest, ['attest', 'verify', ...args]);

test('sgx with collateral: exit 0, JSON facts with the TCB status', () => {
  const r = spawned(v('sgx/dcap-qvl_sgx_quote.bin'), '--type', 'sgx', '--collateral', v('sgx/dcap-qvl_sgx_quote_collateral.json'), '--at', '2025-07-01T00:00:00Z',
    '--expect-measurement', '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb', '--report-data', '48656c6c6f2c20776f726c6421');
  assert.equal(r.code, 0, r.stderr);
  const facts = JSON.parse(r.stdout);
  assert.equal(facts.tee, 'sgx');
  assert.equal(facts.tcb.status, 'ConfigurationAndSWHardeningNeeded');
  assert.deepEqual(facts.tcb.advisoryIds, ['INTEL-SA-00289', 'INTEL-SA-00615']);
});

test('the Aleo JSON wrapper (SGX) and base64 Nitro documents are accepted', async () => {
  const sgx = await veil(v('sgx/aleo-oracle_example_weather_attestation.json'), '--type', 'sgx', '--at', '2024-03-06T13:00:29Z');
  assert.equal(sgx.code, 0, sgx.stderr);
  assert.equal(JSON.parse(sgx.stdout).measurement, 'e5473a7c6cd3ab2ab402bb9034daddaf9821ec3be6b9fc3bb5d6eccbcd3e9e93');
  const nitro = await veil(v('nitro/nitrite_nitro_attestation.b64'), '--type', 'nitro', '--at', '2024-09-07T14:37:39.545Z');
  assert.equal(nitro.code, 0, nitro.stderr);
  assert.equal(JSON.parse(nitro.stdout).tee, 'nitro');
});

test('sev: VCEK via --collateral and ASK/ARK via --certs; hex report', async () => {
  const r = await veil(v('sev/virtee_report_milan.hex'), '--type', 'sev', '--collateral', v('sev/virtee_vcek_milan.der'), '--certs', v('sev/virtee_cert_chain_milan.pem'), '--at', '2026-01-01T00:00:00Z');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).measurement, '7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f');
});

test('exit 1 with the reason on stderr: debug, expired, mismatch, synthetic root', async () => {
  const cases: Array<[string[], string]> = [
    [[v('tdx/teekit_tdx-v4-trustee-debug.quote.bin'), '--type', 'tdx', '--at', '2025-09-01T00:00:00Z'], 'ERR_DEBUG_NOT_ALLOWED'],
    [[v('nitro/nitrite_nitro_attestation.cose'), '--type', 'nitro'], 'ERR_CERT_EXPIRED'], // now: the 3-hour leaf is long gone
    [[v('sgx/dcap-qvl_sgx_quote.bin'), '--type', 'sgx', '--at', '2025-07-01T00:00:00Z', '--expect-measurement', '00'.repeat(32)], 'ERR_MEASUREMENT_MISMATCH'],
    [[v('sgx/dcap-qvl_sgx_quote.bin'), '--type', 'sgx', '--collateral', v('sgx/dcap-qvl_sgx_quote_collateral.json'), '--at', '2026-11-21T00:00:00Z'], 'ERR_COLLATERAL_EXPIRED'],
    [[v('sgx/intel-synthetic/quote.dat'), '--type', 'sgx', '--at', '2025-09-01T00:00:00Z'], 'ERR_CERT_CHAIN'],
  ];
  for (const [i, [args, code]] of cases.entries()) {
    const r = i === 0 ? spawned(...args) : await veil(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^veil: ${code}: `));
  }
  const debugOk = await veil(v('tdx/teekit_tdx-v4-trustee-debug.quote.bin'), '--type', 'tdx', '--at', '2025-09-01T00:00:00Z', '--allow-debug');
  assert.equal(debugOk.code, 0, debugOk.stderr);
  assert.equal(JSON.parse(debugOk.stdout).debug, true);
});

test('exit 2 on usage errors', async () => {
  const quote = v('sgx/dcap-qvl_sgx_quote.bin');
  for (const [i, args] of [
    [quote, '--type', 'tpm'],
    [quote, '--type', 'sgx', '--at', 'yesterday'],
    [v('does-not-exist.bin'), '--type', 'sgx'],
    [v('sev/teekit_sev-gcp.bin'), '--type', 'sev'],
    [quote, '--type', 'sgx', '--expect-measurement', 'xyz', '--tcb-status', 'Fine'],
  ].entries()) {
    const r = i === 0 ? spawned(...args) : await veil(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});
