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
