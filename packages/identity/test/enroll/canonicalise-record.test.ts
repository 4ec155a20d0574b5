import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicaliseRecord, encodeUidInput, ageOn } from '../../src/enroll/canonicalise-record.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const codeOf = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as { code?: string }).code; } return 'no error'; };

test('names differing only in Unicode form, case or spacing canonicalise to the same UID input', () => {
  const base = { name: 'Zoë Ó Briain', birthdate: '1990-04-01', nationality: 'IE' };
  const variants = [
    { ...base, name: 'Zoe\u0308 O\u0301 Briain' },          // NFD
    { ...base, name: '  ZOË   ó\tbriain ' },                // case + whitespace runs + tab
    { ...base, name: 'zoë\u00a0ó briain' },                  // no-break space
    { ...base, nationality: 'ie' },
    { ...base, nationality: 'IRL' },                         // alpha-3
  ];
  const want = encodeUidInput(canonicaliseRecord(base, NOW));
  for (const v of variants) assert.deepEqual(encodeUidInput(canonicaliseRecord(v, NOW)), want, JSON.stringify(v));
  assert.deepEqual(canonicaliseRecord({ name: 'Jürgen Weiß', birthdate: '1980-02-29', nationality: 'de' }, NOW),
    { name: 'jürgen weiss', birthdate: '1980-02-29', nationality: 'DE' });
  assert.equal(canonicaliseRecord({ ...base, name: 'ΟΔΥΣΣΕΥΣ' }, NOW).name, canonicaliseRecord({ ...base, name: 'οδυσσευς' }, NOW).name);
});

test('different people give different inputs, and the encoding is injective over field boundaries', () => {
  const a = encodeUidInput({ name: 'ab', birthdate: '1990-01-01', nationality: 'NL' });
  const b = encodeUidInput({ name: 'a b', birthdate: '1990-01-01', nationality: 'NL' });
  const c = encodeUidInput({ name: 'ab', birthdate: '1990-01-02', nationality: 'NL' });
  assert.notDeepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.match(new TextDecoder().decode(a.subarray(0, 27)), /^veil-identity\/uid-input\/v1\0$/);
});

test('invalid records are refused, naming the field', () => {
  const ok = { name: 'Ann Lee', birthdate: '1990-01-01', nationality: 'NL' };
  for (const bad of [
    { ...ok, name: '' }, { ...ok, name: '   ' }, { ...ok, name: '1234' }, { ...ok, name: 'Ann\u0000Lee' }, { ...ok, name: 'Ann\u200bLee' },
    { ...ok, name: 'a'.repeat(257) }, { ...ok, name: 42 },
    { ...ok, birthdate: '1990-02-30' }, { ...ok, birthdate: '1990-1-1' }, { ...ok, birthdate: '01/01/1990' }, { ...ok, birthdate: '2027-01-01' },
    { ...ok, birthdate: '1899-12-31' }, { ...ok, birthdate: '1990-01-01T00:00:00Z' },
    { ...ok, nationality: 'XX' }, { ...ok, nationality: 'EU' }, { ...ok, nationality: 'Netherlands' }, { ...ok, nationality: '' },
  ]) {
    assert.equal(codeOf(() => canonicaliseRecord(bad, NOW)), 'ERR_RECORD_INVALID', JSON.stringify(bad));
  }
  assert.equal(codeOf(() => canonicaliseRecord(null, NOW)), 'ERR_RECORD_INVALID');
});

test('ageOn counts whole years in UTC', () => {
  assert.equal(ageOn('2008-12-01', NOW), 18);
  assert.equal(ageOn('2008-12-02', NOW), 17);
  assert.equal(ageOn('2000-02-29', new Date('2018-02-28T00:00:00Z')), 17);
});
