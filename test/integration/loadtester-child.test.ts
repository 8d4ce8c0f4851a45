import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../../src/ports/logger.js';
import { startLoadTesterChild, type LoadTesterChild } from '../../src/dev/stack/loadtester-child.js';

const entry = join(import.meta.dirname, '..', '..', 'loadtester', 'src', 'main.ts');

/** A logger that keeps what it is given, to see the load tester's lines relayed. */
function recordingLogger(lines: { level: string; message: string; fields?: LogFields }[]): Logger {
  const at = (level: string) => (message: string, fields?: LogFields): void => void lines.push({ level, message, ...(fields === undefined ? {} : { fields }) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

const answers = async (url: string): Promise<boolean> => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200;

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

describe('the load tester as a supervised child process', () => {
  let child: LoadTesterChild | undefined;
  afterEach(async () => child?.stop());

  it('listens on a kernel-chosen loopback port, relays its log lines, and comes back on the same port after a crash', async () => {
    const lines: { level: string; message: string; fields?: LogFields }[] = [];
    child = await startLoadTesterChild({ entry, nodeArgs: ['--import', 'tsx'], logger: recordingLogger(lines) });
    expect(child.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await answers(child.url)).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'load tester listening' }));
    const first = child.pid();
    process.kill(first ?? 0, 'SIGKILL');
    expect(await eventually(async () => child?.pid() !== first && await answers(child?.url ?? ''), 30_000)).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'load tester exited; starting it again' }));
  }, 60_000);

  it('does not start it again after an orderly stop (exit 0 on SIGINT, as Ctrl-C sends to the whole process group)', async () => {
    const lines: { level: string; message: string; fields?: LogFields }[] = [];
    child = await startLoadTesterChild({ entry, nodeArgs: ['--import', 'tsx'], logger: recordingLogger(lines) });
    process.kill(child.pid() ?? 0, 'SIGINT');
    expect(await eventually(async () => !(await answers(child?.url ?? '')), 10_000)).toBe(true);
    // A restart would come after 1 s and answer about a second later.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await answers(child.url)).toBe(false);
    expect(lines.map((l) => l.message)).not.toContain('load tester exited; starting it again');
  }, 30_000);

  it('ends the process on stop, and does not start it again', async () => {
    child = await startLoadTesterChild({ entry, nodeArgs: ['--import', 'tsx'], logger: recordingLogger([]) });
    const pid = child.pid() ?? 0;
    await child.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await answers(child.url)).toBe(false);
  }, 30_000);
});
