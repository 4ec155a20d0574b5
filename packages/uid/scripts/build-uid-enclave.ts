// `npm run build:uid-enclave [-- --out FILE]`: writes the reproducible UID node bundle and prints its
// measurement (SHA-256 of the bundle) on stdout, the path and size on stderr.
import { writeUidBundle, DEFAULT_UID_BUNDLE_PATH } from '../src/build-uid-enclave.ts';

const args = process.argv.slice(2);
let out = DEFAULT_UID_BUNDLE_PATH;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) out = args[++i]!;
  else {
    process.stderr.write('usage: build-uid-enclave [--out FILE]\n');
    process.exit(2);
  }
}
const { path, measurement, size } = await writeUidBundle(out);
process.stderr.write(`uid bundle: ${path} (${size} bytes)\n`);
process.stdout.write(`${measurement}\n`);
