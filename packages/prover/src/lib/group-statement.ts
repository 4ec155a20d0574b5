// The group statement's public inputs as bb.js lays them out: root, scope, nullifier, message,
// 32 bytes each (big-endian field elements); the scope field is derived from the scope text here.
import { afieldHex, fieldToHex, scopeToField } from '@veil/crypto';
import { hexToBytes } from './bytes.ts';

export function groupPublicInputBytes(p: { root: string; scope: string; nullifier: string; message: string }): Uint8Array {
  const fields = [afieldHex('root', p.root), scopeToField(p.scope), afieldHex('nullifier', p.nullifier), afieldHex('message', p.message)];
  const bytes = new Uint8Array(fields.length * 32);
  fields.forEach((f, i) => bytes.set(hexToBytes(fieldToHex(f)), i * 32));
  return bytes;
}
