/**
 * Which person groups a verified claims file admits: `human` (every enrolled person: unique),
 * `country:XX` (XX = the nationality the service notarised and signed), `age:18+`.
 * The facts come only from the claims the service itself attested — never from the request.
 */
import { VeilError } from '@veil/crypto';

/** Person groups the registrar serves. */
export const PERSON_GROUP = /^(human|age:18\+|country:[A-Z]{2})$/;

/**
 * @example
 * aEligible('country:NL', { nationality: 'NL', age_over_18: true, unique: true });
 * @throws VeilError ERR_GROUP_UNKNOWN (not a person group this registrar serves),
 *   ERR_NOT_ELIGIBLE (the claims do not admit this person).
 */
export function aEligible(group: string, claims: { nationality: string; age_over_18: boolean; unique: boolean }): void {
  if (!PERSON_GROUP.test(group)) throw new VeilError('ERR_GROUP_UNKNOWN', `the registrar serves human, age:18+ and country:XX, not ${group}`);
  const ok = group === 'human' ? claims.unique === true
    : group === 'age:18+' ? claims.age_over_18 === true
      : claims.unique === true && group === `country:${claims.nationality}`;
  if (!ok) throw new VeilError('ERR_NOT_ELIGIBLE', `your attested claims do not admit you to ${group}`);
}
