import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { canaryColumn, chooseLogFormat, devLogger, type DevLogFormat } from './log-format.js';

/** Lines a {@link devLogger} writes, captured from its destination stream. */
function capture(format: DevLogFormat): { lines: string[]; logger: ReturnType<typeof devLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { lines, logger: devLogger({ level: 'debug', format, destination }) };
}

const escape = String.fromCharCode(27);
const ansi = new RegExp(`${escape}\\[[0-9;]*m`, 'g');

describe('the development log format', () => {
  it('prints one line per entry with time, padded level, canary column, message and the other fields', () => {
    const { lines, logger } = capture({ kind: 'pretty', colour: false });
    logger.child({ canary: 'podinfo.test' }).info('Advance podinfo.test canary weight 20', { weight: 20 });
    logger.warn('list failed', { resource: 'deployments' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}podinfo\.test {12} Advance podinfo\.test canary weight 20 \{"weight":20\}$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {27}list failed \{"resource":"deployments"\}$/);
  });

  it('starts every message at the same column whatever the level and canary', () => {
    const { lines, logger } = capture({ kind: 'pretty', colour: false });
    logger.debug('one');
    logger.error('two');
    logger.child({ canary: 'a.b' }).info('three');
    const columns = lines.map((line) => line.search(/(one|two|three)$/));
    expect(new Set(columns)).toEqual(new Set([13 + 6 + canaryColumn + 1]));
  });

  it('colours the level only when asked, and then the text is the same once the colour codes are removed', () => {
    const plain = capture({ kind: 'pretty', colour: false });
    const coloured = capture({ kind: 'pretty', colour: true });
    for (const { logger } of [plain, coloured]) logger.error('rollback', { failedChecks: 2 });
    expect(plain.lines[0]).not.toContain(escape);
    expect(coloured.lines[0]).toContain(`${escape}[31mERROR${escape}[39m`);
    expect(coloured.lines[0]?.replace(ansi, '').slice(12)).toBe(plain.lines[0]?.slice(12));
  });

  it('writes JSON lines with Flagger-style fields in JSON mode', () => {
    const { lines, logger } = capture({ kind: 'json' });
    logger.child({ canary: 'podinfo.test' }).info('Initialization done!', { phase: 'Initialized' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', msg: 'Initialization done!', canary: 'podinfo.test', phase: 'Initialized' });
  });

  it('chooses readable lines on a terminal, JSON on a pipe or when asked, and no colour with NO_COLOR', () => {
    expect(chooseLogFormat(undefined, { isTTY: true }, {})).toEqual({ kind: 'pretty', colour: true });
    expect(chooseLogFormat(undefined, { isTTY: false }, {})).toEqual({ kind: 'json' });
    expect(chooseLogFormat('json', { isTTY: true }, {})).toEqual({ kind: 'json' });
    expect(chooseLogFormat(undefined, { isTTY: true }, { NO_COLOR: '1' })).toEqual({ kind: 'pretty', colour: false });
    expect(chooseLogFormat('pretty', {}, {})).toEqual({ kind: 'pretty', colour: false });
  });
});
