/** The composer's rule for post text, the same as the server's: 1..max code points, not only whitespace. */
export type TextCheck = { ok: true; length: number } | { ok: false; length: number; reason: 'blank' | 'too-long' };

export function checkPostText(text: string, max: number): TextCheck {
  const length = [...text].length;
  if (length > max) return { ok: false, length, reason: 'too-long' };
  if (text.trim() === '') return { ok: false, length, reason: 'blank' };
  return { ok: true, length };
}
