import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repository = join(import.meta.dirname, '..', '..');

interface Instruction { keyword: string; args: string }
interface Stage { from: string; name: string | undefined; instructions: Instruction[] }

/** Instructions of a Dockerfile, continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

function parse(file: string): { globalArgs: Map<string, string>; stages: Stage[] } {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions(readFileSync(join(repository, file), 'utf8'))) {
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [key = '', value = ''] = instruction.args.split('=');
      globalArgs.set(key, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

const bins = (JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;

describe.each([
  { file: 'Dockerfile', bin: bins.songbird },
  { file: 'loadtester/Dockerfile', bin: bins['songbird-loadtester'] },
])('$file', ({ file, bin }) => {
  const { globalArgs, stages } = parse(file);
  const shipped = stages.at(-1);
  const args = (stage: Stage | undefined, keyword: string): string[] =>
    (stage?.instructions ?? []).filter((i) => i.keyword === keyword).map((i) => i.args);

  it('takes every base image from a build argument that defaults to a public Node 24 image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const stageNames = new Set(stages.map((s) => s.name));
    for (const stage of stages.filter((s) => !stageNames.has(s.from))) {
      const argument = /^\$\{(\w+)\}$/.exec(stage.from)?.[1];
      expect(argument, `FROM ${stage.from}`).toBeDefined();
      expect(globalArgs.get(argument ?? '')).toMatch(/node(js)?:?24/);
    }
    expect(globalArgs.get('RUNTIME_IMAGE')).toBe('gcr.io/distroless/nodejs24-debian12:nonroot');
  });

  it('builds with the development dependencies and ships only production ones', () => {
    const build = stages[0];
    expect(args(build, 'RUN').some((r) => /npm ci(?!.*--omit=dev)/.test(r))).toBe(true);
    expect(args(build, 'RUN').some((r) => r.includes('tsc -p tsconfig.build.json'))).toBe(true);
    const copiedFrom = args(shipped, 'COPY').map((c) => /--from=(\S+)/.exec(c)?.[1]);
    const production = stages.filter((s) => s.name !== undefined && copiedFrom.includes(s.name));
    expect(production.length).toBeGreaterThan(0);
    for (const stage of production) expect(args(stage, 'RUN').join(' ')).toContain('npm ci --omit=dev');
  });

  it('runs the bin as a numeric non-root user with no shell at run or build time in the shipped stage', () => {
    expect(args(shipped, 'RUN')).toEqual([]);
    const user = args(shipped, 'USER').at(-1) ?? '';
    expect(user).toMatch(/^\d+:\d+$/);
    expect(user.split(':').map(Number).every((id) => id > 0)).toBe(true);
    const entrypoint = JSON.parse(args(shipped, 'ENTRYPOINT').at(-1) ?? 'null') as unknown;
    expect(entrypoint).toEqual(['node', `/app/${bin}`]);
    for (const cmd of args(shipped, 'CMD')) expect(cmd.startsWith('[')).toBe(true);
  });
});
