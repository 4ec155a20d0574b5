// Writes a private file (0600) that must not exist yet, atomically: a temporary file, then a hard
// link (which fails with EEXIST instead of replacing an existing file).
import { writeFile, link, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

export async function writeOnce(path: string, content: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, path);
  } finally {
    await unlink(tmp);
  }
}
