/**
 * Simulates a dishonest or compromised server: rewrites a stored post's text directly in the
 * SQLite database, behind the API's back (the server keeps serving it with the old signature).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export function tamperPostText(dataDir: string, id: string, text: string): void {
  const file = readdirSync(dataDir).find((f) => /\.(sqlite|db)$/.test(f));
  if (!file) throw new Error(`no SQLite database in ${dataDir}: ${readdirSync(dataDir).join(', ')}`);
  const db = new Database(join(dataDir, file));
  try {
    const r = db.prepare('UPDATE messages SET text = ? WHERE id = ?').run(text, id);
    if (r.changes !== 1) throw new Error(`post ${id} not found in ${file}`);
  } finally {
    db.close();
  }
}

/** Rewrites the domain inside a stored membership bundle (the proof no longer matches the post's group). */
export function tamperMembershipDomain(dataDir: string, epk: string, domain: string): void {
  const file = readdirSync(dataDir).find((f) => /\.(sqlite|db)$/.test(f))!;
  const db = new Database(join(dataDir, file));
  try {
    const row = db.prepare('SELECT bundle FROM memberships WHERE epk = ?').get(epk) as { bundle: string } | undefined;
    if (!row) throw new Error(`no membership for ${epk}`);
    const bundle = JSON.parse(row.bundle) as { claims: { domain: string } };
    bundle.claims.domain = domain;
    db.prepare('UPDATE memberships SET bundle = ? WHERE epk = ?').run(JSON.stringify(bundle), epk);
  } finally {
    db.close();
  }
}
