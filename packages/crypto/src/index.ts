export { VeilError, isVeilError } from './errors.ts';
