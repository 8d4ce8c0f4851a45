import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { abortCommand } from '../../../src/cli/abort-command.js';
import { sendAction } from '../../../src/cli/action-request.js';
import { cliContext } from '../../../src/cli/cli-context.js';
import { pauseCommand } from '../../../src/cli/pause-command.js';
import { planCommand } from '../../../src/cli/plan-command.js';
import { promoteCommand } from '../../../src/cli/promote-command.js';
import { resumeCommand } from '../../../src/cli/resume-command.js';
import { retryCommand } from '../../../src/cli/retry-command.js';
import { setWeightCommand } from '../../../src/cli/set-weight-command.js';
import { statusCommand } from '../../../src/cli/status-command.js';
import { watchCommand } from '../../../src/cli/watch-command.js';

const dir = mkdtempSync(join(tmpdir(), 'songbird-cli-'));
const kubeconfig = join(dir, 'config');
writeFileSync(kubeconfig, stringify({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'dev',
  clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }],
  users: [{ name: 'u', user: { token: 't' } }],
  contexts: [{ name: 'dev', context: { cluster: 'c', user: 'u', namespace: 'team-a' } }, { name: 'prod', context: { cluster: 'c', user: 'u' } }],
}));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cliContext: the cluster and namespace of a plugin command, as kubectl picks them', () => {
  it('uses the current context and its namespace', () => {
    expect(cliContext({ kubeconfig }, { env: {}, home: dir })).toMatchObject({ context: 'dev', namespace: 'team-a' });
  });
  it('uses --context, and "default" when that context names no namespace', () => {
    expect(cliContext({ kubeconfig, context: 'prod' }, { env: {}, home: dir })).toMatchObject({ context: 'prod', namespace: 'default' });
  });
  it('lets -n win over the context namespace', () => {
    expect(cliContext({ kubeconfig, namespace: 'other' }, { env: {}, home: dir }).namespace).toBe('other');
  });
  it('reads KUBECONFIG when no --kubeconfig is given', () => {
    expect(cliContext({}, { env: { KUBECONFIG: kubeconfig }, home: dir }).context).toBe('dev');
  });
  it('names the contexts there are when --context names none of them', () => {
    expect(() => cliContext({ kubeconfig, context: 'staging' }, { env: {}, home: dir })).toThrow('context "staging" does not exist (contexts in the kubeconfig: dev, prod)');
  });
  it('says how to configure a cluster when there is none', () => {
    expect(() => cliContext({}, { env: {}, home: join(dir, 'no-home') })).toThrow('no cluster configured: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config');
  });
});

describe('the kubectl flags of the plugin commands', () => {
  const flagsOf = (command: Command): string[] => command.options.map((o) => o.flags);

  it('offers -n, --context, --kubeconfig and -o on every command, and -A only on those that read many Canaries', () => {
    for (const command of [statusCommand(), watchCommand(), planCommand()]) {
      expect(flagsOf(command)).toEqual(expect.arrayContaining(['-n, --namespace <namespace>', '-A, --all-namespaces', '--context <context>', '--kubeconfig <path>', '-o, --output <format>']));
    }
    for (const command of [promoteCommand(), abortCommand(), retryCommand(), pauseCommand(), resumeCommand(), setWeightCommand()]) {
      expect(flagsOf(command)).toEqual(expect.arrayContaining(['-n, --namespace <namespace>', '--context <context>', '--kubeconfig <path>', '-o, --output <format>']));
      expect(flagsOf(command)).not.toContain('-A, --all-namespaces');
    }
  });

  it('refuses -A on an action verb, as commander refuses any unknown flag', async () => {
    const command = pauseCommand().exitOverride().configureOutput({ writeErr: () => undefined });
    await expect(command.parseAsync(['podinfo', '-A'], { from: 'user' })).rejects.toThrow("unknown option '-A'");
  });

  it('refuses -o wide where a command prints data only, with kubectl\'s message and exit code 1', async () => {
    let stderr = '';
    const io = { out: () => undefined, err: (text: string) => { stderr += text; } };
    await sendAction('podinfo', { output: 'wide', wait: true, timeout: '1s' }, { verb: 'pause' }, { io });
    expect(stderr).toBe('error: unable to match a printer suitable for the output format "wide", allowed formats are: json,yaml\n');
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
  });
});
