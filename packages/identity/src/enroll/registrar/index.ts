// The registrar (Node only): person-group commitments into the board's trees.
export { createRegistrar, type Registrar, type RegistrarOptions, type Registration } from './create-registrar.ts';
export { aEligible, PERSON_GROUP } from './group-eligibility.ts';
