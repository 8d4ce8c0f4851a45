import { existsSync, globSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';
import { packageRoot } from '../../src/local-cluster/index.js';

interface Project {
  test: { name: string; include: string[]; globalSetup?: string[]; setupFiles?: string[] };
}

const projects = (config.test?.projects ?? []) as Project[];
const root = packageRoot();

// A glob that matches nothing hides tests placed where the configuration does not look, or a folder that
// was moved away: every pattern must find at least one test file.
describe('the vitest configuration', () => {
  it('has the unit, integration and e2e projects', () => {
    expect(projects.map((p) => p.test.name)).toEqual(['unit', 'integration', 'e2e']);
  });

  it.each(projects.flatMap((p) => p.test.include.map((glob) => [p.test.name, glob] as const)))(
    'finds test files for the %s project under %s', (_project, glob) => {
      expect(globSync(glob, { cwd: root, exclude: (name) => name === 'node_modules' })).not.toEqual([]);
    });

  it.each(projects.flatMap((p) => [...p.test.globalSetup ?? [], ...p.test.setupFiles ?? []]))('has the setup file %s', (file) => {
    expect(existsSync(join(root, file))).toBe(true);
  });
});
