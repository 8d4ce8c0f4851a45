/**
 * Assembles the production bundle: the compiled modules the `songbird` and `songbird-loadtester` bins import
 * (followed from their entries, so development code such as `src/local-cluster/` and `src/dev/` stays out),
 * package.json and package-lock.json, then `npm ci --omit=dev` there unless `--no-install` is given.
 *
 *   npm run build && tsx scripts/bundle.ts <out-dir> [--no-install]
 *
 * It fails when a bundled module imports a package that is not a production dependency.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importSpecifiers, packageOf } from './bundle-imports.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface PackageJson { bin: Record<string, string>; dependencies: Record<string, string> }

/** Every compiled module reachable from `entries` (absolute paths), and the packages they import. */
export function moduleClosure(root: string, entries: readonly string[]): { files: string[]; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    if (!existsSync(file)) throw new Error(`${relative(root, file)} is imported but was not built (run npm run build)`);
    seen.add(file);
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      const name = packageOf(specifier);
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else if (name !== undefined) packages.add(name);
    }
  }
  return { files: [...seen].sort(), packages };
}

/**
 * Copies the bins' module closure from `root` (a folder with package.json, package-lock.json and the compiled
 * `dist/`) into `outDir`; returns the bundled modules, relative to `root`.
 */
export function bundle(root: string, outDir: string, install: boolean): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
  const { files, packages } = moduleClosure(root, Object.values(manifest.bin).map((bin) => join(root, bin)));
  const notProduction = [...packages].filter((name) => !(name in manifest.dependencies));
  if (notProduction.length > 0) throw new Error(`the bins import packages that are not production dependencies: ${notProduction.join(', ')}`);
  for (const file of [...files, join(root, 'package.json'), join(root, 'package-lock.json')]) {
    const target = join(outDir, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
  if (install) {
    execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: outDir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return files.map((file) => relative(root, file));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outDir = args.find((a) => !a.startsWith('--'));
  if (outDir === undefined) {
    process.stderr.write('usage: tsx scripts/bundle.ts <out-dir> [--no-install]\n');
    process.exit(2);
  }
  const files = bundle(repositoryRoot, resolve(outDir), !args.includes('--no-install'));
  process.stdout.write(`bundled ${files.length} modules into ${outDir}\n`);
}
