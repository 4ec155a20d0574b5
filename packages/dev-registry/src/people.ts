/**
 * The dev registry's test people. Records are nested (so the provider config's JSON paths matter),
 * names include non-ASCII letters and one non-Latin script, nationalities differ, and `lucas` is
 * under 18 (born 2010). Dates are ISO 8601; nationalities ISO 3166-1 alpha-2, as a list.
 */
export interface DevPersonRecord {
  person: {
    id: string;
    name: { full: string; given: string; family: string };
    birth: { date: string; place: string };
    nationalities: Array<{ country: string; since: string }>;
  };
  registry: { name: string; issuedAt: string };
}

export interface DevPerson {
  id: string;
  name: string;
  birthdate: string;
  nationality: string;
  record: DevPersonRecord;
}

const REGISTRY_NAME = 'Veil development citizen registry (DEVELOPMENT)';

function person(id: string, given: string, family: string, full: string, birthdate: string, place: string, nationality: string): DevPerson {
  return Object.freeze({
    id,
    name: full,
    birthdate,
    nationality,
    record: {
      person: { id, name: { full, given, family }, birth: { date: birthdate, place }, nationalities: [{ country: nationality, since: birthdate }] },
      registry: { name: REGISTRY_NAME, issuedAt: '2026-01-01T00:00:00Z' },
    },
  });
}

export const DEV_PEOPLE: readonly DevPerson[] = Object.freeze([
  person('zoe', 'Zoë', 'Ó Briain', 'Zoë Ó Briain', '1991-03-14', 'Galway', 'IE'),
  person('juergen', 'Jürgen', 'Weiß', 'Jürgen Weiß', '1978-11-02', 'Köln', 'DE'),
  person('amara', 'Amara', 'Okafor', 'Amara Okafor', '1985-07-21', 'Enugu', 'NG'),
  person('meiling', '美玲', '王', '王美玲', '1999-01-30', '台北', 'TW'),
  person('sofia', 'Sofía', 'García-López', 'Sofía García-López', '2001-09-09', 'Sevilla', 'ES'),
  person('john', 'John', 'Smith', 'John Smith', '1964-05-05', 'Leeds', 'GB'),
  person('lucas', 'Lucas', 'Martin', 'Lucas Martin', '2010-06-18', 'Lyon', 'FR'),
]);
