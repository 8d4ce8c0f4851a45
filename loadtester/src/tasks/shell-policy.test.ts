import { describe, expect, it } from 'vitest';
import { planProcess, type ProcessTaskType, type ShellPolicy } from './shell-policy.js';

const off: ShellPolicy = { enabled: false, allow: new Set(['*']) };
const curlAndHelm: ShellPolicy = { enabled: true, allow: new Set(['curl', 'helm', 'kubectl', 'grpc_health_probe']) };
const withBash: ShellPolicy = { enabled: true, allow: new Set(['curl', 'bash']) };

describe('shell policy', () => {
  it('refuses every process task while shell tasks are disabled (the default)', () => {
    expect(planProcess('bash', 'curl http://x/', off)).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('--enable-shell') as unknown });
  });

  it.each<[ProcessTaskType, string, ShellPolicy, { file: string; args: string[] }]>([
    ['bash', "curl -sd 'test' http://podinfo-canary:9898/token", curlAndHelm, { file: 'curl', args: ['-sd', 'test', 'http://podinfo-canary:9898/token'] }],
    ['cmd', 'grpc_health_probe -addr=podinfo-canary:9999', curlAndHelm, { file: 'grpc_health_probe', args: ['-addr=podinfo-canary:9999'] }],
    ['helm', 'test run podinfo --cleanup', curlAndHelm, { file: 'helm', args: ['test', 'run', 'podinfo', '--cleanup'] }],
    ['kubectl', 'get pods -n test', curlAndHelm, { file: 'kubectl', args: ['get', 'pods', '-n', 'test'] }],
    ['bash', "curl -sd 'test' http://podinfo-canary:9898/token | grep token", withBash, { file: 'bash', args: ['-c', "curl -sd 'test' http://podinfo-canary:9898/token | grep token"] }],
  ])('runs %s %j as a process', (type, command, policy, expected) => {
    expect(planProcess(type, command, policy)).toEqual({ ok: true, ...expected });
  });

  it.each<[ProcessTaskType, string, ShellPolicy, string]>([
    ['bash', 'rm -rf /', curlAndHelm, 'program "rm" is not allowed'],
    ['bash', '/bin/rm -rf /', curlAndHelm, 'program "rm" is not allowed'],
    ['bash', 'curl http://x/ | sh', curlAndHelm, 'needs a shell'],
    ['cmd', 'curl http://x/ | grep ok', withBash, 'allow it with --allow-command sh'],
    ['helmv3', 'list', withBash, 'program "helm" is not allowed'],
  ])('refuses %s %j', (type, command, policy, reason) => {
    const plan = planProcess(type, command, policy);
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.message).toContain(reason);
  });
});
