import { writeFileSync } from 'node:fs';
import { compileSquare, squareInputs } from '../../prover/test/lib/square.ts';
const { program, id } = await compileSquare();
writeFileSync(new URL('./public/square.json', import.meta.url), JSON.stringify({ program, id, inputs: await squareInputs(7n) }));
console.log('ok', id);
process.exit(0);
