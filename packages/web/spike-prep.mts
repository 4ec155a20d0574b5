import { compile_program, createFileManager } from '@noir-lang/noir_wasm';
import { bn254 } from '@noble/curves/bn254.js';
import { writeFileSync } from 'node:fs';
const fm = createFileManager('/tmp/spike');
const { program } = await compile_program(fm, '/tmp/spike/circ');
writeFileSync('/tmp/spike/program.json', JSON.stringify(program));
const r = bn254.fields.Fr.ORDER; const tau = 12345678901234567890n;
const N = 4097; const g1 = new Uint8Array(N * 64); let s = 1n;
const hex = (v: bigint) => v.toString(16).padStart(64, '0');
const put = (buf: Uint8Array, off: number, v: bigint) => { const h = hex(v); for (let i = 0; i < 32; i++) buf[off + i] = parseInt(h.slice(2 * i, 2 * i + 2), 16); };
for (let i = 0; i < N; i++) { const p = bn254.G1.Point.BASE.multiply(s).toAffine(); put(g1, i * 64, p.x); put(g1, i * 64 + 32, p.y); s = s * tau % r; }
const q = bn254.G2.Point.BASE.multiply(tau).toAffine();
const g2 = new Uint8Array(128); put(g2, 0, q.x.c0); put(g2, 32, q.x.c1); put(g2, 64, q.y.c0); put(g2, 96, q.y.c1);
writeFileSync('/tmp/spike/g1.dat', g1); writeFileSync('/tmp/spike/g2.dat', g2);
console.log('ok');
