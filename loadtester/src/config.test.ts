import { describe, expect, it } from 'vitest';
import { parseConfig, type LoadTesterConfig } from './config.js';

function config(args: string[], env: Record<string, string> = {}): LoadTesterConfig {
  const parsed = parseConfig(args, env);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.config;
}

describe('load tester configuration', () => {
  it("defaults to Flagger's port and timeout, shell off, a file gate store outside a cluster", () => {
    expect(config([])).toMatchObject({
      port: 9090,
      timeoutMs: 3_600_000,
      namespaceRegexp: undefined,
      enableShell: false,
      allowCommands: [],
      maxBodyBytes: 1024 * 1024,
      gateStore: 'file',
      gateAutoClose: false,
    });
  });

  it('takes an HTTP proxy for hey commands and refuses one that is not an http(s) URL', () => {
    expect(config([]).proxy).toBeUndefined();
    expect(config(['--proxy', 'http://127.0.0.1:3128']).proxy?.href).toBe('http://127.0.0.1:3128/');
    expect(parseConfig(['--proxy=localhost:3128'], {})).toEqual({ ok: false, message: '--proxy localhost:3128 is not an http:// or https:// URL', exitCode: 2 });
  });

  it("accepts Flagger's single-dash flags from existing manifests", () => {
    expect(config(['-port=8080', '-timeout=1h', '-namespace-regexp=^test$'])).toMatchObject({ port: 8080, timeoutMs: 3_600_000 });
    expect(config(['-namespace-regexp', 'test']).namespaceRegexp?.source).toBe('test');
  });

  it('bounds every load test, the tasks and the gates by default', () => {
    expect(config([])).toMatchObject({
      loadLimits: { maxConnections: 100, maxRate: 1000, maxDurationMs: 600_000, maxRequests: 600_000 },
      maxTasks: 32,
      maxGates: 1000,
    });
    expect(config(['--max-connections=10', '-max-rate=50', '--max-duration', '2m', '--max-requests', '1000', '--max-gates', '5'])).toMatchObject({
      loadLimits: { maxConnections: 10, maxRate: 50, maxDurationMs: 120_000, maxRequests: 1000 },
      maxGates: 5,
    });
  });

  it('keeps gates in a ConfigMap inside a cluster, in the pod namespace', () => {
    expect(config([], { KUBERNETES_SERVICE_HOST: '10.0.0.1', POD_NAMESPACE: 'test' })).toMatchObject({ gateStore: 'configmap', gateNamespace: 'test' });
  });

  it('reads shell settings, limits and the token from the environment', () => {
    const parsed = config(['--enable-shell', '--allow-command', 'curl', 'helm', '--max-tasks', '4', '--gate-auto-close'], { SONGBIRD_LOADTESTER_TOKEN: 's3cret' });
    expect(parsed).toMatchObject({ enableShell: true, allowCommands: ['curl', 'helm'], maxTasks: 4, gateAutoClose: true, tokenFromEnv: 's3cret' });
  });

  it.each([
    [['--timeout', '1x'], '--timeout 1x is not a positive duration'],
    [['--timeout', '1000h'], '--timeout 1000h is longer than the longest timer (24 days)'],
    [['--max-duration', '2h'], '--max-duration 2h is longer than --timeout 1h, which ends every task'],
    [['--max-duration', '0s'], '--max-duration 0s is not a positive duration'],
    [['--max-connections', '0'], 'maxConnections'],
    [['--max-rate', '-5'], 'maxRate'],
    [['--max-gates', '1.5'], 'maxGates'],
    [['--namespace-regexp', '('], '--namespace-regexp'],
    [['--port', 'eighty'], 'port'],
    [['--gate-store', 'redis'], 'redis'],
    [['--bogus'], "unknown option '--bogus'"],
  ])('refuses %j', (args, message) => {
    const parsed = parseConfig(args, {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain(message);
      expect(parsed.exitCode).toBe(2);
    }
  });

  it('prints help with exit code 0', () => {
    const parsed = parseConfig(['--help'], {});
    expect(parsed).toMatchObject({ ok: false, exitCode: 0, message: expect.stringContaining('--enable-shell') as unknown });
  });
});
