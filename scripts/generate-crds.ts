/**
 * Writes the `flagger.app` CRDs generated from the zod schemas in `src/api` to `crds/` and to the Helm
 * chart's `crds/` folder, and the chart's RBAC rules from src/kube/rbac-rules.ts to its templates. Run with
 * `npm run generate:crds`; the unit test `scripts/crd/generated-files.test.ts` fails when the committed
 * files differ from what this would write.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles } from './crd/manifests.js';
import { generatedRbacFiles } from './rbac/chart-rules.js';

const root = join(import.meta.dirname, '..');

for (const file of [...generatedFiles(), ...generatedRbacFiles()]) {
  const target = join(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
  console.log(`wrote ${file.path}`);
}
