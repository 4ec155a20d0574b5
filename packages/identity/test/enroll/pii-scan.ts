// The personal-data scan: needles for each person (name in several forms, date of birth,
// nationality as a value, hashes of the canonical record and of the UID input in hex and base64),
// searched in every file's raw bytes (UTF-8 and UTF-16LE) and in the logs.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { canonicaliseRecord, encodeUidInput } from '@veil/identity/enroll';

export interface Person { id: string; name: string; birthdate: string; nationality: string }

export function piiNeedles(people: readonly Person[]): Array<{ person: string; what: string; needle: string }> {
  const out: Array<{ person: string; what: string; needle: string }> = [];
  for (const p of people) {
    const c = canonicaliseRecord(p);
    const add = (what: string, needle: string) => out.push({ person: p.id, what, needle });
    add('name', p.name);
    add('name (NFD)', p.name.normalize('NFD'));
    add('name (canonical)', c.name);
    for (const part of p.name.split(' ').filter((w) => w.length >= 4)) add('name part', part);
    add('birthdate', p.birthdate);
    add('birthdate (compact)', p.birthdate.replaceAll('-', ''));
    add('nationality', `"${p.nationality}"`);
    add('nationality', `=${p.nationality}`);
    const preimages = [encodeUidInput(c), Buffer.from(JSON.stringify(c)), Buffer.from(`${c.name}|${c.birthdate}|${c.nationality}`), Buffer.from(`${p.name}${p.birthdate}${p.nationality}`)];
    for (const pre of preimages) {
      for (const alg of ['sha256', 'sha512', 'sha1', 'md5', 'sha3-256']) {
        const d = createHash(alg).update(pre).digest();
        add(`${alg} hex`, d.toString('hex'));
        add(`${alg} base64`, d.toString('base64').replace(/=+$/, ''));
        add(`${alg} base64url`, d.toString('base64url'));
      }
    }
    add('uid input hex', Buffer.from(encodeUidInput(c)).toString('hex'));
  }
  return out;
}

function files(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out = statSync(p).isDirectory() ? out.concat(files(p)) : out.concat(p);
  }
  return out;
}

/** Every hit of a needle in the files under `dirs` (raw bytes, UTF-8 and UTF-16LE, case-insensitive for hex) and in `logs`. */
export function scanForNeedles(dirs: readonly string[], logs: string, needles: ReturnType<typeof piiNeedles>): string[] {
  const hits: string[] = [];
  const haystacks: Array<{ where: string; text: string }> = [{ where: 'logs', text: logs }];
  for (const d of dirs) {
    for (const f of files(d)) {
      const b = readFileSync(f);
      haystacks.push({ where: f, text: b.toString('utf8') }, { where: `${f} (utf16)`, text: b.toString('utf16le') }, { where: `${f} (latin1)`, text: b.toString('latin1') });
    }
  }
  for (const h of haystacks) {
    const lower = h.text.toLowerCase();
    for (const n of needles) {
      const isHex = /^[0-9a-f]+$/.test(n.needle);
      if ((isHex ? lower : h.text).includes(n.needle)) hits.push(`${n.person} ${n.what} in ${h.where}`);
    }
  }
  return hits;
}
