import { builtinModules } from 'node:module';

/**
 * Module specifiers a compiled ES module imports: static `import … from '…'`, side-effect `import '…'`,
 * `export … from '…'` and dynamic `import('…')` with a literal. tsc emits them verbatim, so a pattern is
 * enough here (the input is our own compiler output, not arbitrary JavaScript).
 */
export function importSpecifiers(source: string): string[] {
  const pattern = /(?:^|[\s;})])(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[\s;})])import\s*\(?\s*['"]([^'"]+)['"]/gm;
  return [...source.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? '').filter((s) => s !== '');
}

/** The npm package a bare specifier names (`@aws-sdk/client-s3/dist/x` → `@aws-sdk/client-s3`), or undefined for relative ones and Node built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] ?? '')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
