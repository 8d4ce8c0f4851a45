import { describe, expect, it } from 'vitest';
import { importSpecifiers, packageOf } from './bundle-imports.js';

describe('importSpecifiers', () => {
  it('finds static, side-effect, re-export and dynamic imports as tsc emits them', () => {
    const source = [
      "import { a } from './a.js';",
      "import b, { c } from 'pino';",
      "import './side-effect.js';",
      "export { d } from '../d.js';",
      "export * from '@aws-sdk/client-cloudwatch';",
      "const { e } = await import('./gates/kube-configmaps.js');",
      "import {\n  f,\n  g,\n} from 'node:fs';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.js', 'pino', './side-effect.js', '../d.js', '@aws-sdk/client-cloudwatch', './gates/kube-configmaps.js', 'node:fs']);
  });

  it('ignores the words import and from inside strings and identifiers', () => {
    expect(importSpecifiers("const importance = 'from here'; log('imported from x');")).toEqual([]);
  });
});

describe('packageOf', () => {
  it('names the package of a bare specifier, scoped or not, and nothing for relative paths or built-ins', () => {
    expect(packageOf('@aws-sdk/client-cloudwatch/dist/x.js')).toBe('@aws-sdk/client-cloudwatch');
    expect(packageOf('undici/types')).toBe('undici');
    expect(packageOf('./local.js')).toBeUndefined();
    expect(packageOf('node:fs')).toBeUndefined();
    expect(packageOf('fs/promises')).toBeUndefined();
  });
});
