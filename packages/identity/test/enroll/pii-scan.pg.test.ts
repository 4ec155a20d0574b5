// The personal-data scan on PostgreSQL (--pg pass): after several people enrolled, no row of any
// table in the identity service's schema, and no file in the data dirs, holds a name, date of
// birth, nationality or hash of a canonical record. (The SQLite + logs variant is the CLI test.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { bytesToHex, generateEphemeralKey } from '@veil/crypto';
import { DEV_PEOPLE } from '@veil/dev-registry';
import { connectIdentityService, enroll } from '../../src/enroll/index.ts';
import { M_IDENTITY, startStack } from './helpers.ts';
import { piiNeedles, scanForNeedles } from './pii-scan.ts';

test('PostgreSQL: enrolled people leave no personal data in the database or the data dirs', async () => {
  const schema = `veil_pii_${randomBytes(5).toString('hex')}`;
  const url = process.env.DATABASE_URL!;
  const s = await startStack({ databaseUrl: url, databaseSchema: schema });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const conn = await connectIdentityService({ url: s.enclave.url, measurements: [M_IDENTITY], allowSimulation: true });
    const people = DEV_PEOPLE.filter((p) => ['zoe', 'juergen', 'meiling', 'lucas'].includes(p.id));
    for (const p of people) {
      await enroll(conn, { provider: 'dev-registry', credential: s.registry.issueCredential(p.id), key: { alg: 'ed25519', secretKey: bytesToHex(generateEphemeralKey().secretKey) } });
    }
    const tables = (await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema])).rows.map((r) => r.table_name);
    assert.ok(tables.includes('identity_keys') && tables.includes('identity_participations'));
    let dump = '';
    for (const t of tables) dump += JSON.stringify((await client.query(`SELECT * FROM ${schema}.${t}`)).rows);
    assert.equal((await client.query(`SELECT count(DISTINCT uid)::int AS n FROM ${schema}.identity_keys`)).rows[0].n, people.length);
    assert.deepEqual(scanForNeedles([s.dir], dump, piiNeedles(people)), []);
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await client.end();
    await s.close();
  }
});
