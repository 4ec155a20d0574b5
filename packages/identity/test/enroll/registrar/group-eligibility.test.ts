import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aEligible } from '../../../src/enroll/registrar/group-eligibility.ts';

const adultIE = { nationality: 'IE', age_over_18: true, unique: true };
const minorFR = { nationality: 'FR', age_over_18: false, unique: true };
const refused = (code: string) => (e: { code?: string }) => e.code === code;

test('person groups follow the attested claims only', () => {
  aEligible('human', adultIE);
  aEligible('human', minorFR);
  aEligible('country:IE', adultIE);
  aEligible('age:18+', adultIE);
  aEligible('country:FR', minorFR);
  assert.throws(() => aEligible('age:18+', minorFR), refused('ERR_NOT_ELIGIBLE'));
  assert.throws(() => aEligible('country:FR', adultIE), refused('ERR_NOT_ELIGIBLE'));
  assert.throws(() => aEligible('human', { ...adultIE, unique: false as never }), refused('ERR_NOT_ELIGIBLE'));
  for (const g of ['country:ie', 'country:IRL', 'member:acme.test', 'humans', 'human ', 'age:21+', '']) {
    assert.throws(() => aEligible(g, adultIE), refused('ERR_GROUP_UNKNOWN'), g);
  }
});
