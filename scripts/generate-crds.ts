/**
 * Writes the `flagger.app` CRDs generated from the zod schemas in `src/api` to `crds/` and to the Helm
 * chart's `crds/` folder. Run with `npm run generate:crds`; the unit test
 * `scripts/crd/generated-files.test.ts` fails when the committed files differ from what this would write.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles } from './crd/manifests.js';

const root = join(import.meta.dirname, '..');

for (const file of generatedFiles()) {
  const target = join(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
  console.log(`wrote ${file.path}`);
}
