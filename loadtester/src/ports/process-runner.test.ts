import { describe, expect, it } from 'vitest';
import { spawnProcessRunner } from './process-runner.js';

const node = process.execPath;
const runner = spawnProcessRunner();
const base = { timeoutMs: 10_000, maxOutputBytes: 1024 };

describe('running processes without a shell', () => {
  it('returns the exit code and the combined output', async () => {
    const result = await runner.run({ ...base, file: node, args: ['-e', 'console.log("out"); console.error("err"); process.exit(3)'] });
    expect(result).toMatchObject({ exitCode: 3, timedOut: false, truncated: false });
    expect(result.output).toContain('out');
    expect(result.output).toContain('err');
  });

  it('passes arguments literally, with no shell expansion', async () => {
    const result = await runner.run({ ...base, file: node, args: ['-e', 'console.log(process.argv[1])', '$HOME; echo pwned'] });
    expect(result.output.trim()).toBe('$HOME; echo pwned');
  });

  it('kills a process at its timeout', async () => {
    const started = Date.now();
    const result = await runner.run({ ...base, timeoutMs: 300, file: node, args: ['-e', 'setTimeout(() => {}, 60000)'] });
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('kills a process when its signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runner.run({ ...base, signal: controller.signal, file: node, args: ['-e', 'setTimeout(() => {}, 60000)'] });
    expect(result).toMatchObject({ exitCode: null, aborted: true });
  });

  it('keeps at most maxOutputBytes of output', async () => {
    const result = await runner.run({ ...base, file: node, args: ['-e', 'process.stdout.write("x".repeat(100000))'] });
    expect(result.output).toHaveLength(1024);
    expect(result.truncated).toBe(true);
  });

  it('reports a program that does not exist', async () => {
    const result = await runner.run({ ...base, file: 'songbird-no-such-program', args: [] });
    expect(result.exitCode).toBeNull();
    expect(result.startError).toContain('ENOENT');
  });
});
