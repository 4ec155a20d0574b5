// The policy layer on its own: allowlists, debug, report_data binding rules, TCB statuses, and
// caller mistakes (TypeError) versus untrusted-input failures (VeilError codes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPolicy, checkPolicy, type AttestationFacts } from '../src/index.ts';

const base = (over: Partial<AttestationFacts> = {}): AttestationFacts => ({
  v: 1,
  tee: 'sgx',
  measurement: 'aa'.repeat(32),
  measurements: { mrenclave: 'aa'.repeat(32) },
  reportData: 'ab'.repeat(32) + '00'.repeat(32),
  debug: false,
  verifiedAt: '2025-01-01T00:00:00.000Z',
  details: {},
  ...over,
});

function code(fn: () => unknown, c: string) {
  assert.throws(fn, (e: { code?: string }) => e.code === c);
}

test('TEE types: every hardware type by default, simulation only when listed', () => {
  for (const tee of ['sgx', 'tdx', 'nitro', 'sev-snp'] as const) applyPolicy(base({ tee }));
  code(() => applyPolicy(base({ tee: 'simulation' })), 'ERR_TEE_NOT_ALLOWED');
  applyPolicy(base({ tee: 'simulation' }), { tees: ['simulation'] });
  code(() => applyPolicy(base(), { tees: ['nitro'] }), 'ERR_TEE_NOT_ALLOWED');
});

test('debug is refused unless allowDebug is exactly true', () => {
  code(() => applyPolicy(base({ debug: true })), 'ERR_DEBUG_NOT_ALLOWED');
  code(() => applyPolicy(base({ debug: true }), { allowDebug: false }), 'ERR_DEBUG_NOT_ALLOWED');
  applyPolicy(base({ debug: true }), { allowDebug: true });
  assert.throws(() => applyPolicy(base({ debug: true }), { allowDebug: 'yes' as never }), TypeError);
});

test('measurement allowlist is case-insensitive and exact', () => {
  applyPolicy(base(), { measurements: ['AA'.repeat(32)] });
  code(() => applyPolicy(base(), { measurements: ['aa'.repeat(31)] }), 'ERR_MEASUREMENT_MISMATCH');
  code(() => applyPolicy(base(), { measurements: [] }), 'ERR_MEASUREMENT_MISMATCH');
  assert.throws(() => applyPolicy(base(), { measurements: ['xyz'] }), TypeError);
  assert.throws(() => applyPolicy(base(), { measurements: 'aa' as never }), TypeError);
});

test('report_data: exact, or a prefix followed only by zero bytes', () => {
  applyPolicy(base(), { reportData: 'ab'.repeat(32) });
  applyPolicy(base(), { reportData: new Uint8Array(32).fill(0xab) });
  applyPolicy(base(), { reportData: 'ab'.repeat(32) + '00'.repeat(32) });
  code(() => applyPolicy(base(), { reportData: 'ab'.repeat(31) }), 'ERR_REPORT_DATA_MISMATCH'); // rest not zero
  code(() => applyPolicy(base(), { reportData: 'ab'.repeat(32) + '00'.repeat(33) }), 'ERR_REPORT_DATA_MISMATCH');
  code(() => applyPolicy(base(), { reportData: 'ac'.repeat(32) }), 'ERR_REPORT_DATA_MISMATCH');
  code(() => applyPolicy(base({ reportData: '' }), { reportData: '00' }), 'ERR_REPORT_DATA_MISMATCH');
  assert.throws(() => applyPolicy(base(), { reportData: '' }), TypeError);
});

test('TCB statuses: defaults, allowlist, codes, requireTcb', () => {
  const withTcb = (status: string) => base({ tcb: { status: status as never, advisoryIds: [] } });
  for (const s of ['UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded']) applyPolicy(withTcb(s));
  code(() => applyPolicy(withTcb('OutOfDate')), 'ERR_QUOTE_TCB_OUT_OF_DATE');
  code(() => applyPolicy(withTcb('OutOfDateConfigurationNeeded')), 'ERR_QUOTE_TCB_OUT_OF_DATE');
  code(() => applyPolicy(withTcb('Revoked')), 'ERR_QUOTE_TCB_REVOKED');
  code(() => applyPolicy(withTcb('SWHardeningNeeded'), { tcbStatuses: ['UpToDate'] }), 'ERR_QUOTE_TCB_NOT_ALLOWED');
  applyPolicy(withTcb('OutOfDate'), { tcbStatuses: ['OutOfDate'] });
  code(() => applyPolicy(base(), { requireTcb: true }), 'ERR_QUOTE_TCB_MISSING');
});

test('checkPolicy rejects malformed options with TypeError', () => {
  assert.throws(() => checkPolicy({ tees: ['tpm' as never] }), TypeError);
  assert.throws(() => checkPolicy({ tcbStatuses: ['Fine' as never] }), TypeError);
  assert.deepEqual(checkPolicy({}), {});
});
