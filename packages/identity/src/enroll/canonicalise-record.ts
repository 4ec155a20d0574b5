/**
 * Canonical form of a person's record (name, date of birth, nationality) and the UID input bytes
 * derived from it. Two records that name the same person in a different Unicode form, case or
 * spacing canonicalise to the same bytes, so they get the same UID.
 *
 *   name        NFC → full case folding (toUpperCase then toLowerCase, final sigma ς → σ; this is
 *               Unicode full case folding for every letter used in personal names except a few
 *               locale-specific ones such as Turkish dotless ı, which are left as they are) → NFC →
 *               every run of Unicode white space collapsed to one U+0020, trimmed. Refused: control
 *               or format characters (C*), no letter at all, more than 256 code points.
 *   birthdate   ISO 8601 calendar date YYYY-MM-DD, a real day, from 1900-01-01 to today (UTC).
 *   nationality ISO 3166-1 alpha-2, upper case, an officially assigned code (i18n-iso-countries);
 *               an alpha-3 code is mapped to its alpha-2.
 *
 * UID input = "veil-identity/uid-input/v1" ‖ 0x00 ‖ for each field (name, birthdate, nationality):
 *   u16 big-endian byte length ‖ UTF-8 bytes. Length prefixes make the encoding injective.
 * Not checked: that the record is true — that is the provider's word, carried by the notarised fetch.
 */
import countries from 'i18n-iso-countries';
import { VeilError } from '@veil/crypto';
import { taggedEncoding } from '../lib/tagged-encoding.ts';

/** The three fields of a person's record, as strings. */
export interface PersonRecord {
  name: string;
  birthdate: string;
  nationality: string;
}

const MAX_NAME_CODE_POINTS = 256;

function invalid(field: string, message: string): never {
  throw new VeilError('ERR_RECORD_INVALID', `${field}: ${message}`);
}

function canonicalName(raw: unknown): string {
  if (typeof raw !== 'string') invalid('name', 'must be a string');
  const folded = raw.normalize('NFC').toUpperCase().toLowerCase().replace(/ς/g, 'σ').normalize('NFC');
  const name = folded.replace(/\s+/gu, ' ').trim();
  if (/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u.test(name)) invalid('name', 'contains control, format or unassigned characters');
  if (!/\p{L}/u.test(name)) invalid('name', 'contains no letter');
  if ([...name].length > MAX_NAME_CODE_POINTS) invalid('name', `longer than ${MAX_NAME_CODE_POINTS} code points`);
  return name;
}

function canonicalBirthdate(raw: unknown, now: Date): string {
  if (typeof raw !== 'string') invalid('birthdate', 'must be a string');
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  if (!m) invalid('birthdate', 'must be an ISO 8601 date YYYY-MM-DD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const day = new Date(t);
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) invalid('birthdate', 'is not a calendar day');
  if (y < 1900 || t > now.getTime()) invalid('birthdate', 'is out of range (1900-01-01 to today)');
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function canonicalNationality(raw: unknown): string {
  if (typeof raw !== 'string') invalid('nationality', 'must be a string');
  const code = raw.trim().toUpperCase();
  if (/^[A-Z]{2}$/.test(code) && countries.isValid(code)) return code;
  if (/^[A-Z]{3}$/.test(code)) {
    const two = countries.alpha3ToAlpha2(code);
    if (two) return two;
  }
  return invalid('nationality', 'must be an assigned ISO 3166-1 alpha-2 (or alpha-3) country code');
}

/**
 * Canonicalises a provider record; refuses anything that is not a valid name, date and country.
 *
 * @example
 * import { canonicaliseRecord } from '@veil/identity/enroll';
 * canonicaliseRecord({ name: ' JÜRGEN  weiß ', birthdate: '1980-02-29', nationality: 'de' });
 * // → { name: 'jürgen weiss', birthdate: '1980-02-29', nationality: 'DE' }
 * @throws VeilError ERR_RECORD_INVALID naming the field.
 */
export function canonicaliseRecord(record: unknown, now: Date = new Date()): PersonRecord {
  const r = record as Record<string, unknown> | null;
  if (!r || typeof r !== 'object') throw new VeilError('ERR_RECORD_INVALID', 'record must be an object');
  return { name: canonicalName(r.name), birthdate: canonicalBirthdate(r.birthdate, now), nationality: canonicalNationality(r.nationality) };
}

/**
 * The domain-separated UID input bytes of a canonical record (what the OPRF evaluates, blinded).
 *
 * @example
 * import { canonicaliseRecord, encodeUidInput } from '@veil/identity/enroll';
 * const input = encodeUidInput(canonicaliseRecord(record));
 * @throws TypeError when a field is longer than 65535 UTF-8 bytes (canonical records never are).
 */
export function encodeUidInput(canonical: PersonRecord): Uint8Array {
  const enc = new TextEncoder();
  return taggedEncoding('veil-identity/uid-input/v1', [canonical.name, canonical.birthdate, canonical.nationality].map((f) => enc.encode(f)));
}

/**
 * Whole years between a canonical birthdate and `at` (UTC), for age claims.
 *
 * @example
 * ageOn('2000-06-15', new Date('2018-06-15T00:00:00Z')); // 18
 */
export function ageOn(birthdate: string, at: Date): number {
  const [y, m, d] = birthdate.split('-').map(Number) as [number, number, number];
  let age = at.getUTCFullYear() - y;
  if (at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < d)) age--;
  return age;
}
