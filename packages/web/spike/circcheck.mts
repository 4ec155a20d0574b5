import { ensureCompiled, readManifest } from '@veil/circuits/build';
const m = readManifest(); const r = await ensureCompiled('membership'); console.log(r.id, m.circuits[0]!.id, r.id === m.circuits[0]!.id);
